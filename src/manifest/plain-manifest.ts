import { isPlainAddress } from "../core/email.js";
import { validate as validateManifestSchema } from "../generated/manifest-schema.js";
import { scanPlainManifest } from "./fast-scan.js";
import type { Manifest } from "./manifest.js";
import { toManifest } from "./to-manifest.js";

/**
 * The fast reading of a manifest in the plain form (see fast-scan.ts), used only when it finds nothing
 * wrong at all: any problem, or any doubt, is left to the full reading, the one place that words and
 * positions problems, so both readings always agree on what they return. Both build with toManifest.
 */
export function plainManifest(text: string, file: string): Manifest | undefined {
  const source = scanPlainManifest(text);
  if (!source || !schemaAccepts(source.value)) return undefined;
  let clean = true;
  const manifest = toManifest(
    file,
    { data: source.value, positionOf: (path) => source.positionOf(path) },
    () => (clean = false),
  );
  return clean ? manifest : undefined;
}

/**
 * Whether the schema accepts `value`: the same answer as validating it whole, without validating one by one the
 * users written as plain addresses, which the schema's email definition always accepts (a test holds the two
 * answers equal). The schema checks each user on its own, so those need no check; one is kept, for `minItems`.
 * Validating them cost more than the rest of the schema, in a folder of 1,000 small manifests.
 */
export function schemaAccepts(value: unknown): boolean {
  const users = (value as { users?: unknown } | null)?.users;
  if (!Array.isArray(users) || users.length < 2) return validateManifestSchema(value);
  const doubtful = users.filter((user) => !surelyAccepted(user));
  const checked = doubtful.length > 0 ? doubtful : [users[0]];
  // Assigned onto a new object, not spread: V8 (Node 20) gives each object spread from another a shape of its own once
  // the place that spreads has made a few, and the validator reading 1,000 shapes ran slowly (docs/performance.md).
  return validateManifestSchema(Object.assign({}, value, { users: checked }));
}

/** The schema's email pattern allows at most 254 characters. */
const MAX_EMAIL_LENGTH = 254;

/** A user the schema's email definition accepts: a plain address (isPlainAddress) no longer than it allows. */
function surelyAccepted(user: unknown): boolean {
  return typeof user === "string" && user.length <= MAX_EMAIL_LENGTH && isPlainAddress(user);
}
