// Types of third-party-notices.mjs, for the tests that import it.
import type { Metafile } from "esbuild";

/** One package in the notices: its name, version, licence (package.json) and licence text. */
export interface NoticedPackage {
  name: string;
  version: string;
  licence: string | undefined;
  text: string;
  folder: string;
}

export const NOTICES_FILE: string;
export function packageFolderOf(path: string): string | undefined;
export function bundledPackageFolders(metafile: Metafile): string[];
export function writeThirdPartyNotices(metafile: Metafile): Promise<{ bundled: NoticedPackage[]; generators: NoticedPackage[] }>;
