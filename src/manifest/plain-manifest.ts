import { validate as validateManifestSchema } from "../generated/manifest-schema.js";
import { emailProblem, normalizeEmail } from "../core/email.js";
import { scanPlainManifest } from "./fast-scan.js";
import { guardSettings, type GuardData } from "./guard-keys.js";
import type { DesiredUser, Manifest } from "./manifest.js";
import { patternProblem } from "./protect-pattern.js";

/** The manifest's data once it has passed the schema (schema/users.schema.json). */
export interface ManifestData {
  version: 1;
  users: (string | { email: string; name?: string; comment?: string })[];
  protect?: string[];
  guards?: GuardData;
}

/**
 * The fast reading of a manifest in the plain form (see fast-scan.ts), used only when it finds nothing
 * wrong at all: any problem, or any doubt, is left to the full reading, the one place that words and
 * positions problems, so both readings always agree on what they return.
 */
export function plainManifest(text: string, file: string): Manifest | undefined {
  const source = scanPlainManifest(text);
  if (!source || !validateManifestSchema(source.value)) return undefined;
  const data = source.value as ManifestData;
  const users: DesiredUser[] = [];
  const seen = new Set<string>();
  for (const [index, item] of data.users.entries()) {
    const entry = typeof item === "string" ? { email: item } : item;
    const email = normalizeEmail(entry.email);
    if (seen.has(email) || emailProblem(entry.email)) return undefined;
    seen.add(email);
    const user: DesiredUser = { email, written: entry.email, position: source.positionOf(typeof item === "string" ? ["users", index] : ["users", index, "email"]) };
    if (entry.name !== undefined) user.name = entry.name;
    if (entry.comment !== undefined) user.comment = entry.comment;
    users.push(user);
  }
  const protect = data.protect ?? [];
  if (protect.some((pattern) => patternProblem(pattern))) return undefined;
  return {
    path: file,
    version: 1,
    users,
    protect: protect.map((p) => p.trim()),
    protectAt: protect.map((_, index) => source.positionOf(["protect", index])),
    guards: guardSettings(data.guards),
  };
}
