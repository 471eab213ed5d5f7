import { domainToUnicode } from "node:url";
import unhomoglyph from "unhomoglyph";
import { codePoint, foldCase, readableEmail } from "./email.js";
import { nameKey, UNSEEN } from "./names.js";

// The one rule of which texts look alike: addresses (the manifest's and the API's) and names (groups,
// organizations). Loaded only when a check needs it: its table is Unicode's confusables.txt, 100 kB.

/**
 * The Unicode TR39 skeleton of a text: skeleton(X) = NFD(map(NFD(X))), the map being confusables.txt. Two
 * texts with one skeleton look alike (соре in Cyrillic and cope, rn and m). The skeleton keeps case:
 * Greek ΑΒΕ has the skeleton ABE, and Latin I has the skeleton l.
 */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize("NFD")).normalize("NFD");
}

/** A text as compared for looks: one entry a character, each the set of ways a reader could read that character. */
type Spelling = readonly (readonly string[])[];

const readingCache = new Map<string, readonly string[]>();

/**
 * The ways a reader could read one character, each as the case-folded skeleton of one of its cases: as
 * written, as a capital and as a small letter. Addresses compare case-folded, so a capital that reads as a
 * Latin capital (Greek Α as A) counts as well as a small letter that reads as a Latin small one (Cyrillic а
 * as a), and so does Latin itself where case changes what a letter looks like (I reads as l, so i may too).
 */
function readingsOfChar(ch: string): readonly string[] {
  let readings = readingCache.get(ch);
  if (!readings) {
    const read = (form: string) => foldCase(skeleton(form)).normalize("NFD");
    readings = [...new Set([read(ch), read(ch.toUpperCase()), read(ch.toLowerCase())])];
    readingCache.set(ch, readings);
  }
  return readings;
}

/** A text's spelling: its characters decomposed (NFD), without the invisible ones, each with its readings. */
export function spellingOf(text: string): Spelling {
  return [...text.replace(UNSEEN, "").normalize("NFD")].map(readingsOfChar);
}

/**
 * Whether a reader could take one spelling for the other: some reading of each character of one, put
 * together, is some reading of the other's, character by character. Readings may be longer than one
 * character (m reads as rn), so the two are walked side by side, carrying what one side has read ahead.
 */
export function spellingsLookAlike(a: Spelling, b: Spelling): boolean {
  const seen = new Set<string>();
  // i, j: the next characters of a and b; ahead: what one side has read beyond the other (aheadA: a's).
  const walk = (i: number, j: number, ahead: string, aheadA: boolean): boolean => {
    const state = `${i}\u0000${j}\u0000${aheadA ? "a" : "b"}${ahead}`;
    if (seen.has(state)) return false;
    seen.add(state);
    if (ahead === "") {
      if (i === a.length || j === b.length) return i === a.length && j === b.length;
      return a[i]!.some((r) => b[j]!.some((s) => step(i + 1, j + 1, r, s)));
    }
    if (aheadA) return j < b.length && b[j]!.some((s) => step(i, j + 1, ahead, s));
    return i < a.length && a[i]!.some((r) => step(i + 1, j, r, ahead));
  };
  const step = (i: number, j: number, r: string, s: string): boolean => {
    if (r === s) return walk(i, j, "", true);
    if (r.startsWith(s)) return walk(i, j, r.slice(s.length), true);
    if (s.startsWith(r)) return walk(i, j, s.slice(r.length), false);
    return false;
  };
  return walk(0, 0, "", true);
}

/** The shortest and longest a spelling can read: two spellings whose ranges do not meet cannot look alike. */
function lengthRange(spelling: Spelling): [number, number] {
  let min = 0;
  let max = 0;
  for (const readings of spelling) {
    min += Math.min(...readings.map((r) => r.length));
    max += Math.max(...readings.map((r) => r.length));
  }
  return [min, max];
}

/** One spelling of each part of an email, with the range of lengths of each. */
interface PartSpelling {
  spelling: Spelling;
  range: [number, number];
}

/**
 * The spellings of each part of an email, the local part first, then each label of the domain: from the
 * address as written (its domain's punycode labels read in Unicode) and as compared (case-folded, its domain
 * mapped as UTS-46 maps it), where the two split alike.
 */
function emailSpellings(email: string): PartSpelling[][] {
  const written = splitEmail(email.trim().normalize("NFC"), true);
  const compared = splitEmail(readableEmail(email), false);
  const aligned = written.length === compared.length;
  return compared.map((part, index) => {
    const forms = [...new Set(aligned || index === 0 ? [written[index]!, part] : [part])];
    return forms.map((form) => {
      const spelling = spellingOf(form);
      return { spelling, range: lengthRange(spelling) };
    });
  });
}

function splitEmail(email: string, decode: boolean): string[] {
  const at = email.lastIndexOf("@");
  if (at < 0) return [email];
  const labels = email
    .slice(at + 1)
    .replace(/\.+$/, "")
    .split(".");
  return [email.slice(0, at), ...labels.map((label) => (decode ? readableLabel(label) : label))];
}

/** A label as a reader sees it: punycode (xn--) in Unicode. */
function readableLabel(label: string): string {
  if (!/^xn--/i.test(label)) return label;
  const unicode = domainToUnicode(label.toLowerCase());
  return unicode === "" ? label : unicode.normalize("NFC");
}

function partsLookAlike(a: readonly PartSpelling[], b: readonly PartSpelling[]): boolean {
  return a.some((x) =>
    b.some((y) => x.range[0] <= y.range[1] && y.range[0] <= x.range[1] && spellingsLookAlike(x.spelling, y.spelling)),
  );
}

function emailPartsLookAlike(a: readonly PartSpelling[][], b: readonly PartSpelling[][]): boolean {
  return a.length === b.length && a.every((part, index) => partsLookAlike(part, b[index]!));
}

/**
 * Whether two emails look alike: as many parts, and a reader could take each part of one (the local part,
 * each label of the domain) for the same part of the other.
 */
export function emailsLookAlike(a: string, b: string): boolean {
  return emailPartsLookAlike(emailSpellings(a), emailSpellings(b));
}

/**
 * The characters the local part of an email can start with, as read (as written and as compared): what the index files
 * it under.
 */
function firstReadingsOf(email: string): Set<string> {
  const firsts = new Set<string>();
  for (const form of [email.trim(), readableEmail(email)]) {
    const first = [
      ...form
        .slice(0, Math.max(0, form.lastIndexOf("@")))
        .replace(UNSEEN, "")
        .normalize("NFD"),
    ][0];
    if (first === undefined) firsts.add("");
    else for (const reading of readingsOfChar(first)) firsts.add(reading.slice(0, 1));
  }
  return firsts;
}

/**
 * Emails indexed by look, to find the ones that look like a given email without comparing it with each:
 * filed under the first characters their local parts can read as, each candidate then compared part by part.
 */
export class LookalikeIndex<T> {
  private readonly byFirst = new Map<string, { parts: PartSpelling[][]; item: T }[]>();

  add(email: string, item: T): void {
    const parts = emailSpellings(email);
    const entry = { parts, item };
    for (const first of firstReadingsOf(email)) {
      const list = this.byFirst.get(first);
      if (list) list.push(entry);
      else this.byFirst.set(first, [entry]);
    }
  }

  /** The items whose email looks like `email`, each once. */
  find(email: string): T[] {
    // Most emails share no first reading with any filed one: their whole spellings are never needed.
    const candidates = [...firstReadingsOf(email)].flatMap((first) => this.byFirst.get(first) ?? []);
    if (candidates.length === 0) return [];
    const parts = emailSpellings(email);
    const found = new Set<{ parts: PartSpelling[][]; item: T }>();
    for (const entry of candidates) if (!found.has(entry) && emailPartsLookAlike(parts, entry.parts)) found.add(entry);
    return [...found].map((entry) => entry.item);
  }
}

/**
 * Whether two names (groups', organizations') look alike: a reader could take one, as nameKey has it, for the other.
 */
export function namesLookAlike(a: string, b: string): boolean {
  return spellingsLookAlike(spellingOf(nameKey(a)), spellingOf(nameKey(b)));
}

/**
 * The letters of a text that are not ASCII but whose skeleton is ASCII: they read as Latin letters they
 * are not (Cyrillic о as o, Greek Ο as O). Each once, in the order they appear.
 */
export function confusableLetters(text: string): { letter: string; looksLike: string }[] {
  const found = new Map<string, string>();
  for (const ch of text.normalize("NFC")) {
    if (ch <= "\x7f" || found.has(ch)) continue;
    const looksLike = skeleton(ch);
    if (/^[\x21-\x7e]+$/.test(looksLike)) found.set(ch, looksLike);
  }
  return [...found].map(([letter, looksLike]) => ({ letter, looksLike }));
}

/** "с (U+0441) reads as c, о (U+043E) reads as o" */
export function describeConfusables(letters: readonly { letter: string; looksLike: string }[]): string {
  return letters.map(({ letter, looksLike }) => `${letter} (${codePoint(letter)}) reads as ${looksLike}`).join(", ");
}
