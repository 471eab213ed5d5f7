/**
 * A `protect` glob: `*` matches any run of characters, `?` one character; the match is over the whole
 * email and ignores case, as emails are compared everywhere else.
 */
export interface ProtectPattern {
  pattern: string;
  matches(email: string): boolean;
}

export function compileProtectPattern(pattern: string): ProtectPattern {
  const source = pattern
    .trim()
    .toLowerCase()
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\\/-]/g, "\\$&")))
    .join("");
  const regex = new RegExp(`^${source}$`, "s");
  return { pattern, matches: (email) => regex.test(email.trim().toLowerCase()) };
}
