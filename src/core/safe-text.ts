// Characters that can move the cursor, recolour the terminal, forge lines in a CI log or reorder what a
// reviewer reads (bidi controls), or hide in plain sight (zero-width): DEL, C1 controls, zero-width and
// bidi marks, line and paragraph separators, the byte-order mark.
const INVISIBLE = "\\u007f-\\u009f\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff";
const CONTROL = new RegExp(`[\\u0000-\\u001f${INVISIBLE}]`, "g");
const INVISIBLE_IN_JSON = new RegExp(`[${INVISIBLE}]`, "g");

const escapeChar = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Makes untrusted text safe to print on one line: control characters become visible escapes. */
export function sanitize(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/**
 * JSON text that is as safe at a terminal as sanitized text, and parses to the same value: JSON.stringify
 * already escapes C0 controls; this escapes the rest of the characters above inside strings (only strings
 * can hold them).
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(INVISIBLE_IN_JSON, escapeChar);
}

/**
 * What jsonText escapes in JSON.stringify's text, for JSON written in pieces (jsonPieces): each character on its
 * own, so it can be applied to any piece, and again to text it was applied to.
 */
export function escapeInvisibleInJson(text: string): string {
  // Nearly every piece is ASCII without DEL (its UTF-8 is as long as it is), which holds none of them.
  if (Buffer.byteLength(text, "utf8") === text.length && !text.includes("\u007f")) return text;
  return text.replace(INVISIBLE_IN_JSON, escapeChar);
}

/** Cuts text longer than `max` characters, saying how much was left out: a hostile value can be megabytes. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
