import { Box, Text } from "ink";
import { useContext } from "react";
import type { Line, Tone } from "../lines.js";
import { ColorContext } from "./color-context.js";
import { wrapLines } from "../draw-lines.js";

const STYLE: Record<Tone, { color?: string; bold?: boolean; dimColor?: boolean }> = {
  plain: {},
  heading: { bold: true },
  remove: { color: "red" },
  protected: { color: "cyan" },
  missing: { color: "magenta" },
  ok: { color: "green" },
  warn: { color: "yellow", bold: true },
  error: { color: "red", bold: true },
  muted: { dimColor: true },
};

/**
 * Draws lines of toned segments: the ink face of every text renderer. Given a `width`, a line too long for it
 * is wrapped with a hanging indent (draw-lines.ts) rather than left to ink, which starts each part at column 0.
 */
export function LinesView({ lines, width }: { lines: readonly Line[]; width?: number }) {
  const shown = width === undefined ? lines : wrapLines(lines, width);
  return (
    <Box flexDirection="column">
      {shown.map((segments, index) => (
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
