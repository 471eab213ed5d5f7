/** How a piece of text is meant to look; ink maps tones to colours, plain text ignores them. */
export type Tone = "plain" | "heading" | "remove" | "protected" | "missing" | "ok" | "warn" | "error" | "muted";

/** A run of text in one tone. */
export interface Segment {
  text: string;
  tone?: Tone;
}

/** One line of output: what the ink views and the plain-text renderers both draw. */
export type Line = Segment[];

export const line = (...segments: (Segment | string)[]): Line =>
  segments.map((s) => (typeof s === "string" ? { text: s } : s));

export const toned = (tone: Tone, text: string): Segment => ({ text, tone });

/** Plain text of some lines: no colour, no cursor codes, one newline after each line. */
export function linesToText(lines: readonly Line[]): string {
  return lines.map(lineText).join("\n") + (lines.length > 0 ? "\n" : "");
}

/** Plain text of one line, without its trailing spaces. */
export function lineText(segments: Line): string {
  return segments
    .map((s) => s.text)
    .join("")
    .trimEnd();
}

/**
 * The width to lay the terminal preview out to. A terminal that reports none (0 columns: some containers
 * and pseudo-terminals) gets a usual width, or every character would go on a line of its own.
 */
export function terminalWidth(stream: { columns?: number }): number {
  return stream.columns || 100;
}
