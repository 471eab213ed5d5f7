import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";
import type { Manifest } from "../manifest/manifest.js";
import type { ManifestProblem } from "../manifest/manifest-error.js";
import { daysUntil } from "./lifecycle.js";

/**
 * Warnings, not errors, about `expires:` dates already past on `today`: the manifest is valid, and the plan
 * removes those users as if not listed (unless protected), but a reviewer should know before it does.
 */
export function expiredWarnings(manifest: Pick<Manifest, "path" | "users">, today: string): ManifestProblem[] {
  return manifest.users.flatMap((user) => {
    if (user.expires === undefined) return [];
    const ago = -daysUntil(user.expires, today);
    if (ago <= 0) return [];
    const at = user.expiresAt ?? user.position;
    return [
      {
        file: manifest.path,
        line: at.line,
        col: at.col,
        message:
          `the access of ${sanitize(user.written.trim())} ended on ${user.expires} (${plural(ago, "day")} ` +
          `ago): roster plans its removal as if not listed; remove the user from the manifest, or move the date`,
      },
    ];
  });
}
