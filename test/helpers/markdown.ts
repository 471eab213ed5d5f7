import * as assert from "uvu/assert";
import { sanitize } from "../../src/core/safe-text.js";

// What GitHub would make of a Markdown text roster wrote: which parts it renders as Markdown (and HTML), which it
// shows literally (code spans and fenced blocks), and whether a value from the API could act in it.

/** What GitHub would render as Markdown (outside code) and what it shows literally (code spans, fenced blocks). */
function parts(markdown: string): { live: string[]; code: string[] } {
  const live: string[] = [];
  const code: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    if (fence !== undefined) {
      if (line.startsWith(fence) && /^`+$/.test(line.trim())) fence = undefined;
      else code.push(line);
      continue;
    }
    const open = /^(`{3,})[^`]*$/.exec(line);
    if (open) {
      fence = open[1]!;
      continue;
    }
    live.push(...inline(line, code));
  }
  assert.is(fence, undefined, "every fenced block is closed");
  return { live, code };
}

/**
 * A line's text outside code spans (CommonMark: a run of n backticks up to the next run of exactly n); spans' content
 * to `code`.
 */
function inline(line: string, code: string[]): string[] {
  const out: string[] = [];
  let text = "";
  let i = 0;
  while (i < line.length) {
    if (line[i] === "\\" && i + 1 < line.length) {
      text += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (line[i] !== "`") {
      text += line[i];
      i += 1;
      continue;
    }
    const run = /^`+/.exec(line.slice(i))![0];
    let close = -1;
    for (let j = i + run.length; j < line.length; ) {
      const next = /^`+/.exec(line.slice(j));
      if (next && next[0].length === run.length) {
        close = j;
        break;
      }
      j += next ? next[0].length : 1;
    }
    if (close < 0) {
      text += run; // an unmatched run is literal backticks: left in the live text, where the checks see it
      i += run.length;
      continue;
    }
    const content = line.slice(i + run.length, close);
    code.push(/^ .* $/.test(content) && content.trim() !== "" ? content.slice(1, -1) : content);
    text += "\u2022";
    i = close + run.length;
  }
  out.push(text);
  return out;
}

/** Live text with every backslash escape replaced by a neutral mark: what is left is what Markdown acts on. */
const bare = (text: string) => text.replace(/\\[!-/:-@[-`{-~]/g, "\u00b7");
/** Live text as a reader sees it: escapes undone. */
const shown = (text: string) => text.replace(/\\([!-/:-@[-`{-~])/g, "$1");

/** What must never be live in the Markdown: each a pattern of the bare text, and what it would do. */
const LIVE = [
  [/@[A-Za-z0-9]/, "an @mention"],
  [/<[A-Za-z/!?]/, "an HTML tag or comment"],
  [/\[|\]\(/, "a link or image"],
  [/:\/\//, "a bare link"],
  [/www\./i, "a bare www link"],
  [/`/, "a code span left open"],
  [/\*bold|bold\*|_em|em_|~~/, "emphasis or strikethrough"],
  [/\|/, "a table cell"],
  [/&[A-Za-z#]/, "an HTML entity"],
  [/#\d/, "an issue reference"],
] as const;

/** Asserts that `markdown` shows each of `values` as text and leaves nothing of them live. */
export function assertInert(markdown: string, values: readonly string[], where: string): void {
  assert.not.match(
    markdown,
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/,
    `${where}: a control character`,
  );
  for (const line of markdown.split("\n")) {
    assert.not.ok(/^\s*(?:#+ forged|[-*] forged)/.test(line), `${where}: a forged line: ${line}`);
  }
  const { live, code } = parts(markdown);
  for (const text of live) {
    for (const [pattern, what] of LIVE) assert.not.ok(pattern.test(bare(text)), `${where}: ${what} in: ${text}`);
  }
  const readable = [...live.map(shown), ...code].join("\n");
  for (const value of values)
    assert.ok(
      readable.includes(sanitize(value).trim()),
      `${where}: ${JSON.stringify(value)} is not readable in:\n${markdown}`,
    );
}
