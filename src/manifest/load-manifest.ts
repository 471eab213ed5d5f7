import { readFile, stat } from "node:fs/promises";
import type { Manifest } from "./manifest.js";
import { ManifestError } from "./manifest-error.js";
import { sha256 } from "../files/sha256.js";
import { plainManifest } from "./plain-manifest.js";

/** Manifests larger than this are refused before they are read: no real roster comes near it. */
export const MAX_MANIFEST_BYTES = 10 * 1024 * 1024;

/** A manifest read from a file, with the digest of the file's bytes. */
export type LoadedManifest = Manifest & { sha256: string };

/** Reads, decodes and validates the manifest at `path`; every failure is a positioned ManifestError. */
export async function loadManifest(path: string): Promise<LoadedManifest> {
  const fail = (message: string): never => {
    throw new ManifestError([{ file: path, line: 1, col: 1, message }]);
  };
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) fail("not a file: pass the path of a users.yaml manifest with -f");
    size = info.size;
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === "ENOENT" ? "no such file: create it, or pass another manifest with -f FILE" : `cannot read the manifest (${code ?? "unknown error"})`);
  }
  if (size > MAX_MANIFEST_BYTES) fail(`the manifest is ${size} bytes, over the limit of ${MAX_MANIFEST_BYTES} bytes (10 MiB)`);
  const bytes = await readFile(path);
  const text = decodeManifest(bytes, path);
  // The yaml library is loaded only for a manifest the plain reader leaves to it: most runs never pay for it.
  const manifest = plainManifest(text, path) ?? (await import("./parse-manifest.js")).parseManifestWithYaml(text, path);
  return { ...manifest, sha256: sha256(bytes) };
}

/** UTF-8 only, with or without a byte-order mark; invalid bytes are an error at their line and column. */
export function decodeManifest(bytes: Uint8Array, path: string): string {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return text;
  } catch {
    const good = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    const bad = good.indexOf("\uFFFD");
    const before = good.slice(0, Math.max(0, bad));
    const line = before.split("\n").length;
    const col = before.length - before.lastIndexOf("\n");
    throw new ManifestError([{ file: path, line, col, message: "the manifest is not valid UTF-8: save it as UTF-8 text" }]);
  }
}
