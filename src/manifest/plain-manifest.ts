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
  if (!source || !validateManifestSchema(source.value)) return undefined;
  let clean = true;
  const manifest = toManifest(
    file,
    { data: source.value, positionOf: (path) => source.positionOf(path) },
    () => (clean = false),
  );
  return clean ? manifest : undefined;
}
