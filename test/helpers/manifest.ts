import { ManifestError } from "../../src/manifest/manifest-error.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";

/** The problems a manifest text gets, as the user sees them: users.yaml:line:col: message. */
export function problems(text: string): string[] {
  try {
    parseManifest(text, "users.yaml");
  } catch (error) {
    if (error instanceof ManifestError) return error.problems.map((p) => `users.yaml:${p.line}:${p.col}: ${p.message}`);
    throw error;
  }
  throw new Error("expected the manifest to be refused");
}
