import type { Manifest } from "./manifest.js";
import type { ManifestProblem } from "./manifest-error.js";

/**
 * Warnings, not errors, about manifest addresses, patterns and protected group names written with letters that read as
 * Latin
 * letters they are not (Cyrillic с as c, Greek Ο as O). An address in another script is legitimate, so it
 * is not refused; but a reviewer should know that соре@example.com is not cope@example.com. The look-alike
 * table is loaded only when some text is not plain ASCII.
 */
export async function confusableWarnings(
  manifest: Pick<Manifest, "path" | "users" | "protect" | "protectAt"> & Partial<Pick<Manifest, "protectGroups">>,
): Promise<ManifestProblem[]> {
  const texts = [
    ...manifest.users.map((user) => ({ text: user.written.trim(), what: "the address", at: user.position })),
    ...manifest.protect.map((pattern, index) => ({
      text: pattern,
      what: "the protect pattern",
      at: manifest.protectAt?.[index] ?? { line: 1, col: 1 },
    })),
    ...(manifest.protectGroups ?? []).map((group) => ({
      text: group.name,
      what: "the protected group",
      at: group.position,
    })),
  ].filter(({ text }) => !/^[\x00-\x7f]*$/.test(text));
  if (texts.length === 0) return [];
  const { confusableLetters, describeConfusables } = await import("../core/lookalike.js");
  const { sanitize } = await import("../core/safe-text.js");
  const warnings: ManifestProblem[] = [];
  for (const { text, what, at } of texts) {
    const letters = confusableLetters(text);
    if (letters.length === 0) continue;
    warnings.push({
      file: manifest.path,
      line: at.line,
      col: at.col,
      message:
        `${what} "${sanitize(text)}" uses letters that look like Latin ones: ${describeConfusables(letters)}; ` +
        `check that it is written as the organization has it`,
    });
  }
  return warnings;
}
