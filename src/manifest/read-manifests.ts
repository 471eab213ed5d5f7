import { stat } from "node:fs/promises";
import { loadManifest, type LoadedManifest } from "./load-manifest.js";
import { loadManifests } from "./load-manifests.js";

/**
 * The manifests `-f` names: one file is read as it always was; several files, or a folder (its `*.yaml` and
 * `*.yml` files), make a run across accounts, each manifest for the account its `account:` names.
 */
export async function readManifests(files: readonly string[]): Promise<LoadedManifest[]> {
  if (files.length === 1 && !(await isFolder(files[0]!))) return [await loadManifest(files[0]!)];
  return loadManifests(files);
}

/** Whether the manifests make a run across accounts: several, or one naming a managed account. */
export function acrossAccounts(manifests: readonly LoadedManifest[]): boolean {
  return manifests.length > 1 || manifests.some((manifest) => manifest.account !== undefined);
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
