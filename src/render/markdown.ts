import { sanitize } from "../core/safe-text.js";

// Text from the API or a manifest is untrusted: in a pull-request comment it must not close a code block,
// start a heading, inject HTML, link, or mention anyone. It goes into code spans and fences, whose content
// GitHub shows literally, with delimiters longer than any run of backticks inside.

/** `text` as an inline code span: shown literally, whatever it holds. */
export function codeSpan(text: string): string {
  const safe = sanitize(text);
  const fence = "`".repeat(longestRun(safe, "`") + 1);
  // A span whose content starts or ends with a backtick (or is padded on both sides) needs a space inside.
  const pad = /^`|`$/.test(safe) || /^ .* $/.test(safe) ? " " : "";
  return `${fence}${pad}${safe}${pad}${fence}`;
}

/** A fenced code block of `info` (e.g. "diff") around lines that are already safe to print. */
export function fencedBlock(info: string, lines: readonly string[]): string[] {
  const fence = "`".repeat(lines.reduce((n, l) => Math.max(n, longestRun(l, "`") + 1), 3));
  return [`${fence}${info}`, ...lines, fence];
}

/**
 * Prose with the characters escaped that could make Markdown or HTML of it: emphasis, code, links (a link
 * needs "["), headings, tables, strikethrough, tags, entities and @mentions; and the bare links GitHub makes
 * of "https://..." and "www.": an escaped ":" or "." is shown as it is, and links nothing.
 */
export function escapeMarkdown(text: string): string {
  return sanitize(text)
    .replace(/[\\`*_{}[\]<>#|~&@]/g, "\\$&")
    .replace(/:(?=\/\/)/g, "\\:")
    .replace(/(www)\./gi, "$1\\.");
}

function longestRun(text: string, ch: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}
