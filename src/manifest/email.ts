/** The form in which emails are compared: trimmed, composed (NFC) and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize("NFC").toLowerCase();
}

// Controls, format characters (bidi overrides, zero-width), unassigned and private-use code points, and
// spaces other than the plain one (which the schema already reports in its own words).
const HIDDEN = /[\p{C}\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
// Scripts whose letters pass for Latin ones: "аlice" with a Cyrillic "а" is not alice, and alice would go.
const LOOKALIKE_SCRIPTS = [
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Greek", /\p{Script=Greek}/u],
  ["Armenian", /\p{Script=Armenian}/u],
  ["Cherokee", /\p{Script=Cherokee}/u],
] as const;

/**
 * Why an email (as compared: see normalizeEmail) cannot be a manifest user, or undefined when it can. The
 * schema checks the shape (schema/users.schema.json, definitions/email); this refuses what a pattern cannot
 * see, what makes an address look like another: hidden characters, compatibility forms (full-width letters)
 * and Latin mixed with look-alike scripts.
 */
export function emailProblem(email: string): string | undefined {
  const hidden = HIDDEN.exec(email);
  if (hidden) return `it contains ${codePoint(hidden[0])}, an invisible or control character: type the address again`;
  for (const ch of email) {
    const plain = ch.normalize("NFKC");
    if (plain !== ch && plain !== ch.normalize("NFC")) return `it contains ${codePoint(ch)}, a compatibility form of "${plain}": write "${plain}"`;
  }
  const local = email.slice(0, email.lastIndexOf("@"));
  if (/\p{Script=Latin}/u.test(local)) {
    for (const [script, pattern] of LOOKALIKE_SCRIPTS) {
      const letter = pattern.exec(local);
      if (letter) return `it mixes Latin and ${script} letters (${codePoint(letter[0])} looks like a Latin letter): type the address again`;
    }
  }
  return undefined;
}

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}
