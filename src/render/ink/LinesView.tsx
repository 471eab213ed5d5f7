import { Box, Text } from "ink";
import type { Line, Tone } from "../lines.js";

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
  if (segments.every((s) => s.text === "")) return <Text> </Text>;
  return (
    <Text>
      {segments.map((segment, index) => (
        <Text key={index} {...STYLE[segment.tone ?? "plain"]}>
          {segment.text}
        </Text>
      ))}
    </Text>
  );
}
