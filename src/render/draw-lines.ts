import type { Line, Segment, Tone } from "./lines.js";

/**
 * The ANSI codes of each tone: the colours ink gives them (chalk's codes), written directly. Drawing a
 * finished preview needs no layout engine: 20,000 rows through ink's renderToString took about 10 s.
 */
const ANSI: Record<Tone, [open: string, close: string]> = {
  plain: ["", ""],
  heading: ["\u001b[1m", "\u001b[22m"],
  remove: ["\u001b[31m", "\u001b[39m"],
  protected: ["\u001b[36m", "\u001b[39m"],
  missing: ["\u001b[35m", "\u001b[39m"],
  ok: ["\u001b[32m", "\u001b[39m"],
  warn: ["\u001b[1m\u001b[33m", "\u001b[39m\u001b[22m"],
  error: ["\u001b[1m\u001b[31m", "\u001b[39m\u001b[22m"],
  muted: ["\u001b[2m", "\u001b[22m"],
};

/** The signs a row starts with after its indent ("  - ", "  # "): its continuation lines go under the text after it. */
const ROW_SIGN = /^( *)([-#?≠!~=]) (?=\S)/;

/**
 * Where the continuation lines of `text` start: under the text after the row's sign ("  - alice@…" continues
 * at column 4, under the email), else at the line's own indent. Never past half the width.
 */
export function hangingIndent(text: string, width: number): number {
  const sign = ROW_SIGN.exec(text);
  const indent = sign ? sign[0].length : /^ */.exec(text)![0].length;
  return indent <= width / 2 ? indent : 0;
}

/**
 * One line cut into lines at most `width` columns wide, at spaces where it can: a word longer than the room
 * is cut where the room ends. Continuation lines start at the row's hanging indent, so no wrapped part of a
 * row begins at column 0 and reads as a row of its own. Tones stay with their characters; trailing spaces go.
 * `hanging` sets the indent of a row without a sign (an apply result continues under its email).
 */
export function wrapLine(segments: Line, width: number, hanging?: number): Line[] {
  const text = segments.map((s) => s.text).join("");
  if (text.length <= width || width < 2) return [trimEnd(segments)];
  const tones: (Tone | undefined)[] = [];
  for (const segment of segments) for (let i = 0; i < segment.text.length; i++) tones.push(segment.tone);
  const indent = hanging !== undefined && hanging <= width / 2 ? hanging : hangingIndent(text, width);
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const first = lines.length === 0;
    const room = first ? width : width - indent;
    let end: number;
    let next: number;
    if (text.length - start <= room) {
      end = next = text.length;
    } else {
      const cut = text.lastIndexOf(" ", start + room);
      // Never at the space after the row's sign: "  -" alone on a line says nothing.
      if (cut >= start + (first ? Math.max(indent, 1) : 1) && text.slice(start, cut).trim() !== "") {
        end = cut;
        next = cut;
      } else {
        end = next = start + room;
      }
      while (next < text.length && text[next] === " ") next += 1;
    }
    const piece = pieces(text, tones, start, end);
    lines.push(trimEnd(first ? piece : [{ text: " ".repeat(indent) }, ...piece]));
    start = next;
  }
  return lines;
}

/** The characters from `start` to `end` as segments of one tone each. */
function pieces(text: string, tones: readonly (Tone | undefined)[], start: number, end: number): Line {
  const out: Segment[] = [];
  let from = start;
  for (let i = start + 1; i <= end; i++) {
    if (i === end || tones[i] !== tones[from]) {
      const tone = tones[from];
      out.push(tone ? { text: text.slice(from, i), tone } : { text: text.slice(from, i) });
      from = i;
    }
  }
  return out;
}

function trimEnd(segments: Line): Line {
  const out = [...segments];
  while (out.length > 0) {
    const last = out[out.length - 1]!;
    const trimmed = last.text.trimEnd();
    if (trimmed === last.text) break;
    if (trimmed === "") out.pop();
    else {
      out[out.length - 1] = { ...last, text: trimmed };
      break;
    }
  }
  return out;
}

/** Lines wrapped to `width` (see wrapLine), as lines again: for a view that draws them as they are. */
export function wrapLines(lines: readonly Line[], width: number): Line[] {
  return lines.flatMap((l) => wrapLine(l, width));
}

/** One line as the terminal is sent it: its segments in their colours when `color`, no style at all otherwise. */
export function drawLine(segments: Line, color: boolean): string {
  let out = "";
  for (const segment of segments) {
    if (segment.text === "") continue;
    const [open, close] = color ? ANSI[segment.tone ?? "plain"] : ["", ""];
    out += open + segment.text + close;
  }
  return out;
}

/**
 * Lines drawn for a terminal `width` columns wide, wrapped with a hanging indent, coloured unless `color` is
 * false; joined by newlines with none after the last (as ink's renderToString gives them).
 */
export function drawLines(lines: readonly Line[], width: number, color: boolean): string {
  const out: string[] = [];
  for (const l of lines) for (const part of wrapLine(l, width)) out.push(drawLine(part, color));
  return out.join("\n");
}
