// C0 and C1 control characters, DEL, and the start of ANSI escape sequences: text from the API or a
// manifest must not move the cursor, recolour the terminal or forge lines in a CI log.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Makes untrusted text safe to print on one line: control characters become visible escapes. */
export function sanitize(text: string): string {
  return text.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Cuts text longer than `max` characters, saying how much was left out: a hostile value can be megabytes. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
