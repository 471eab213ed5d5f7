import { comparedDomain, foldCase, HIDDEN, mixedScripts, readableFromCompared, textProblem } from "../core/email.js";

/**
 * A `protect` glob: `*` matches any run of characters, `?` one character; the match is over the whole
 * email as compared (see normalizeEmail): case-folded, and with the domain in either spelling, so
 * `*@bücher.example` and `*@xn--bcher-kva.example` protect the same users.
 */
export interface ProtectPattern {
  /** As written (trimmed). */
  pattern: string;
  /** Whether the pattern matches this email, given in its compared form (normalizeEmail). */
  matches(comparedEmail: string): boolean;
}

/**
 * What is wrong with a protect pattern, and where: `index` is the offending character's place in the text as written.
 */
export interface PatternProblem {
  message: string;
  index: number;
}

const GLOB_HELP =
  'protect patterns are globs where * matches any run of characters and ? one character, such as "*@partners.example.com"';

/**
 * Why a protect pattern cannot be used, or undefined when it can. A pattern gets the checks emails get
 * (hidden characters, compatibility forms, Latin mixed with look-alike letters) and refuses the syntax of
 * other pattern languages, which would be taken literally and protect nobody.
 */
export function patternProblem(written: string): PatternProblem | undefined {
  const hidden = HIDDEN.exec(written);
  if (hidden)
    return {
      message: "a protect pattern must not hold invisible or control characters: it would not match what it looks like",
      index: hidden.index,
    };
  const compat = textProblem(written.trim().normalize("NFC"));
  if (compat) {
    const bad = [...written].findIndex((ch) => textProblem(ch) !== undefined);
    return {
      message: `protect pattern ${JSON.stringify(written.trim())}: ${compat}`,
      index: Math.max(0, indexOfCodePoint(written, bad)),
    };
  }
  const syntax = /[[\]{}()|\\^$]/.exec(written);
  if (syntax) {
    const ch = syntax[0];
    const what =
      ch === "[" || ch === "]"
        ? "character classes such as [ab] are not supported: write one pattern for each address, or ? for any one " +
          "character"
        : ch === "{" || ch === "}"
          ? "alternatives such as {a,b} are not supported: write one pattern for each alternative"
          : `${JSON.stringify(ch)} belongs to regular expressions, which are not supported: ${GLOB_HELP}`;
    return { message: `protect pattern ${JSON.stringify(written.trim())}: ${what}`, index: syntax.index };
  }
  // A regular expression's "any character, any number of times" at the start of the pattern or of its
  // domain, where a glob's dot could match nothing (no address or domain starts with a dot).
  const regexStart = /(?:^\s*|@)(\.[*+?])/.exec(written);
  if (regexStart) {
    return {
      message:
        `protect pattern ${JSON.stringify(written.trim())}: ${JSON.stringify(regexStart[1])} is a regular ` +
        `expression; ${GLOB_HELP} (write * instead)`,
      index: regexStart.index + regexStart[0].length - 2,
    };
  }
  // "+" where a regular expression would repeat: in a glob it is a plain plus sign (as in ops+alerts@).
  const plus = /(?:^\s*|[.*?])\+/.exec(written);
  if (plus) {
    return {
      message:
        `protect pattern ${JSON.stringify(written.trim())}: "+" here reads as a regular expression's "one or ` +
        `more"; ${GLOB_HELP}`,
      index: plus.index + plus[0].length - 1,
    };
  }
  const text = written.trim().normalize("NFC").replace(/[*?]/g, "");
  const at = text.lastIndexOf("@");
  const mixed = mixedScripts(at < 0 ? [text] : [text.slice(0, at), ...text.slice(at + 1).split(".")]);
  if (mixed) {
    const bad = /[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/u.exec(written);
    return {
      message: `protect pattern ${JSON.stringify(written.trim())}: ${mixed.replace("the address", "the pattern")}`,
      index: bad?.index ?? 0,
    };
  }
  return undefined;
}

/** The UTF-16 index of the n-th code point of a text. */
function indexOfCodePoint(text: string, n: number): number {
  return n < 0 ? -1 : [...text].slice(0, n).join("").length;
}

/** A pattern in the form it is matched in: case-folded, and each domain label without a wildcard in its ASCII form. */
export function normalizePattern(written: string): string {
  const text = written.trim().normalize("NFC");
  const at = text.lastIndexOf("@");
  if (at < 0) return foldCase(text);
  const labels = text
    .slice(at + 1)
    .replace(/\.+$/, "")
    .split(".")
    .map((label) => (/[*?]/.test(label) || label === "" ? foldCase(label) : comparedDomain(label)));
  return `${foldCase(text.slice(0, at))}@${labels.join(".")}`;
}

export function compileProtectPattern(pattern: string): ProtectPattern {
  const source = [...normalizePattern(pattern)]
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
    .join("");
  const regex = new RegExp(`^${source}$`, "su");
  return {
    pattern: pattern.trim(),
    matches: (compared) =>
      regex.test(compared) || (compared.includes("xn--") && regex.test(readableFromCompared(compared))),
  };
}
