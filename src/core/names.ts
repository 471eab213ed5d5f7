import { HIDDEN } from "./email.js";

// Names that roster compares with the API's: groups' (protect, the groups guard, drift, saved plans, the
// executor's last check) and organizations' (account selectors). One form for all of them.

/** Characters no reader sees: zero-width, bidi marks, soft hyphens, variation selectors and the like. */
export const UNSEEN = /\p{Default_Ignorable_Code_Point}/gu;
/** Every kind of space (no-break, thin, ideographic, line separators): they read as one plain space. */
const SPACES = /[\s\p{Zs}\u2028\u2029]+/gu;

/**
 * A name as compared: composed (NFC), without invisible characters, every run of spaces of any kind one
 * plain space, trimmed; otherwise exact (Telnyx's names are case-sensitive labels). So `Équipe` composed and
 * `E` + U+0301 decomposed are one name, and so are `Billing Team` with a no-break space and with a plain one.
 */
export function nameKey(name: string): string {
  return name.replace(UNSEEN, "").normalize("NFC").replace(SPACES, " ").trim();
}

const HIDDEN_ALL = new RegExp(HIDDEN.source, "gu");

/**
 * A name as a message shows it, quoted, with every character a reader cannot see (a no-break space, a
 * zero-width space, a control) written as its code point, so that two names that differ only there read
 * differently: "Billing\u00a0Team".
 */
export function showName(name: string, max = 80): string {
  const cut = [...name].length > max ? `${[...name].slice(0, max).join("")}…` : name;
  const escaped = cut.replace(/["\\]/g, "\\$&").replace(HIDDEN_ALL, (ch) => codePointEscape(ch));
  return `"${escaped}"`;
}

function codePointEscape(ch: string): string {
  const hex = ch.codePointAt(0)!.toString(16);
  return hex.length <= 4 ? `\\u${hex.padStart(4, "0")}` : `\\u{${hex}}`;
}
