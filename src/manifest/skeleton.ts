import unhomoglyph from "unhomoglyph";
import { codePoint, readableEmail } from "../core/email.js";

// Loaded only by the commands that look for look-alikes (its table is Unicode's confusables.txt, 100 kB).

/**
 * The Unicode TR39 skeleton of an email's compared form, read with its domain in Unicode: two addresses
 * with one skeleton look alike (соре@example.com in Cyrillic and cope@example.com, rn and m).
 * skeleton(X) = NFD(map(NFD(X))), the map being confusables.txt.
 */
export function emailSkeleton(email: string): string {
  return skeleton(readableEmail(email));
}

export function skeleton(text: string): string {
  return unhomoglyph(text.normalize("NFD")).normalize("NFD");
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
