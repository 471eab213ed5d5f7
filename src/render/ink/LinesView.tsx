import { Box, Text } from "ink";
import { useContext } from "react";
import type { Line, Tone } from "../lines.js";
import { ColorContext } from "./color-context.js";

const STYLE: Record<Tone, { color?: string; bold?: boolean; dimColor?: boolean }> = {
  plain: {},
  heading: { bold: true },
  remove: { color: "red" },
  protected: { color: "yellow" },
  missing: { color: "cyan" },
  ok: { color: "green" },
  warn: { color: "yellow", bold: true },
  error: { color: "red", bold: true },
  muted: { dimColor: true },
};

/** Draws lines of toned segments: the ink face of every text renderer. */
export function LinesView({ lines }: { lines: readonly Line[] }) {
  return (
    <Box flexDirection="column">
      {lines.map((segments, index) => (
        <LineView key={index} segments={segments} />
      ))}
    </Box>
  );
}

export function LineView({ segments }: { segments: Line }) {
  // Without colour, no style at all: bold and dim are escape codes too.
  const color = useContext(ColorContext);
  if (segments.every((s) => s.text === "")) return <Text> </Text>;
  return (
    <Text>
      {segments.map((segment, index) => (
        <Text key={index} {...(color ? STYLE[segment.tone ?? "plain"] : {})}>
          {segment.text}
        </Text>
      ))}
    </Text>
  );
}
