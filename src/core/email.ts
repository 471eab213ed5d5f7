import { domainToASCII, domainToUnicode } from "node:url";

/**
 * The form in which emails are compared, everywhere (planner, rules, protect patterns, saved plans,
 * verification, export's check). Idempotent: the compared form of a compared form is itself.
 *
 * - trimmed and composed (NFC);
 * - the local part case-folded (Unicode full case folding: ΟΔΟΣ, οδοσ and οδος compare equal, ß and ẞ
 *   compare equal to ss), the default folding rather than the Turkish one (İ is i with a dot above);
 * - a quoted local part whose content needs no quotes compares as that content ("alice"@x is alice@x);
 * - the domain in its ASCII form (UTS-46, as browsers do: bücher.example is xn--bcher-kva.example),
 *   without trailing dots (example.com. names the same domain as example.com).
 */
export function normalizeEmail(email: string): string {
  if (isPlainAddress(email)) return email.toLowerCase();
  const text = email.trim().normalize("NFC");
  const at = text.lastIndexOf("@");
  if (at < 0) return foldCase(text);
  return `${comparedLocal(text.slice(0, at))}@${comparedDomain(text.slice(at + 1))}`;
}

/**
 * The compared form with its domain in Unicode (bücher.example, not xn--bcher-kva.example): what a
 * reader sees, for look-alike checks and for protect patterns written with either spelling.
 */
export function readableEmail(email: string): string {
  return readableFromCompared(normalizeEmail(email));
}

/** readableEmail of an email already in its compared form. */
export function readableFromCompared(compared: string): string {
  const at = compared.lastIndexOf("@");
  if (at < 0 || !compared.includes("xn--", at)) return compared;
  const unicode = domainToUnicode(compared.slice(at + 1));
  return unicode === "" ? compared : `${compared.slice(0, at)}@${unicode.normalize("NFC")}`;
}

/**
 * Nearly every address: plain ASCII, an unquoted local part and a domain of letters, digits and hyphens that is
 * not punycode. Its compared form is its lower case, and emailProblem finds nothing wrong with it: both say so
 * without the cost of their general paths.
 */
export function isPlainAddress(email: string): boolean {
  return PLAIN_ADDRESS.test(email) && !PUNYCODE.test(email);
}

const PUNYCODE = /xn--/i;

const ASCII = /^[\x00-\x7f]*$/;
const PLAIN_ADDRESS =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * Unicode full case folding (CaseFolding.txt, statuses C and F), character by character: upper- then
 * lower-casing each character until it no longer changes gives folding's classes (ς and σ, ß and ss, ſ
 * and s, K and k), without the context rule toLowerCase applies to a final sigma. The dotless ı folds to
 * itself in Unicode (only Turkish folding maps I to it), so it is kept.
 */
export function foldCase(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let out = "";
  for (const ch of text) {
    if (ch === "\u0131") {
      out += ch;
      continue;
    }
    let folded = ch;
    for (let step = 0; step < 4; step += 1) {
      const next = [...folded].map((c) => (c === "\u0131" ? c : c.toUpperCase().toLowerCase())).join("");
      if (next === folded) break;
      folded = next;
    }
    out += folded;
  }
  return out.normalize("NFC");
}

// What RFC 5321 allows unquoted in a local part (dot-atom), so that "alice" can be written alice.
const DOT_ATOM = /^[^\s"(),.:;<>@[\\\]\u0000-\u001f\u007f]+(?:\.[^\s"(),.:;<>@[\\\]\u0000-\u001f\u007f]+)*$/u;

function comparedLocal(local: string): string {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/su.exec(local);
  if (!quoted) return foldCase(local);
  const content = quoted[1]!.replace(/\\(.)/gsu, "$1");
  if (DOT_ATOM.test(content)) return foldCase(content);
  return `"${foldCase(content).replace(/["\\]/g, "\\$&")}"`;
}

// Characters the URL host parser treats as ending or breaking a host: with them, domainToASCII's answer
// is not about this domain.
const NOT_HOST = /[\u0000-\u0020#%/:<>?@[\\\]^|\u007f]/u;

/** A domain as compared: its ASCII (punycode) form, lower-cased, without trailing dots. */
export function comparedDomain(domain: string): string {
  const bare = domain.replace(/\.+$/, "");
  // Letters, digits and hyphens, not punycode: already ASCII (and never read as an IPv4 address, as the URL
  // host parser would read 1.2).
  if (/^[A-Za-z0-9.-]+$/.test(bare) && !/(?:^|\.)xn--/i.test(bare)) return bare.toLowerCase();
  const ascii = bare === "" || NOT_HOST.test(bare) ? "" : domainToASCII(bare);
  return ascii === "" ? foldCase(bare) : ascii;
}

// Controls, format characters (bidi overrides, zero-width), unassigned and private-use code points, and
// spaces other than the plain one (which the schema already reports in its own words).
export const HIDDEN = /[\p{C}\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
// Scripts whose letters pass for Latin ones: "аlice" with a Cyrillic "а" is not alice, and alice would go.
const LOOKALIKE_SCRIPTS = [
  ["Cyrillic", /\p{Script=Cyrillic}/u],
  ["Greek", /\p{Script=Greek}/u],
  ["Armenian", /\p{Script=Armenian}/u],
  ["Cherokee", /\p{Script=Cherokee}/u],
] as const;
// An ASCII domain label: letters, digits and hyphens, not at either end (punycode labels are of this form).
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Why an email, as written, cannot be a manifest user, or undefined when it can. The schema checks the
 * shape (schema/users.schema.json, definitions/email); this refuses what a pattern cannot see, what makes
 * an address look like another (hidden characters, compatibility forms such as full-width letters, Latin
 * mixed with look-alike scripts in the local part or in one label of the domain), and a domain that is no
 * valid internationalised domain name.
 */
export function emailProblem(email: string): string | undefined {
  if (isPlainAddress(email)) return undefined;
  const text = email.trim().normalize("NFC");
  // Printable ASCII holds no hidden character, compatibility form or look-alike script.
  const ascii = /^[\x21-\x7e]*$/.test(text);
  const shown = ascii ? undefined : textProblem(text);
  if (shown) return shown;
  const at = text.lastIndexOf("@");
  if (at < 0) return mixedScripts([text]);
  const domain = text.slice(at + 1).replace(/\.+$/, "");
  // A domain not even shaped as labels and dots is the schema's to word.
  if (!/^[^.]+(?:\.[^.]+)+$/.test(domain)) return textProblem(text.slice(0, at));
  const plain = /^[A-Za-z0-9.-]+$/.test(domain) && !/(?:^|\.)xn--/i.test(domain);
  const asciiDomain = plain ? domain.toLowerCase() : NOT_HOST.test(domain) ? "" : domainToASCII(domain);
  if (asciiDomain === "" || !asciiDomain.split(".").every((label) => LDH_LABEL.test(label))) {
    return (
      `its domain ${JSON.stringify(domain)} is not a valid domain name: write it as in the address book ` +
      `(bücher.example or xn--bcher-kva.example)`
    );
  }
  return ascii ? undefined : mixedScripts([text.slice(0, at), ...domain.split(".")]);
}

/**
 * The checks every text compared with emails gets, protect patterns too: hidden characters and
 * compatibility forms, which would not match what a reader sees.
 */
export function textProblem(text: string, what = "address"): string | undefined {
  const hidden = HIDDEN.exec(text);
  if (hidden) return `it contains ${codePoint(hidden[0])}, an invisible or control character: type the ${what} again`;
  for (const ch of text) {
    const plain = ch.normalize("NFKC");
    if (plain !== ch && plain !== ch.normalize("NFC"))
      return `it contains ${codePoint(ch)}, a compatibility form of "${plain}": write "${plain}"`;
  }
  return undefined;
}

/** Latin mixed with a look-alike script inside one part (the local part, or one domain label). */
export function mixedScripts(parts: readonly string[]): string | undefined {
  for (const part of parts) {
    if (!/\p{Script=Latin}/u.test(part)) continue;
    for (const [script, pattern] of LOOKALIKE_SCRIPTS) {
      const letter = pattern.exec(part);
      if (letter)
        return (
          `it mixes Latin and ${script} letters (${codePoint(letter[0])} looks like a Latin letter): type the ` +
          `address again`
        );
    }
  }
  return undefined;
}

export function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}
