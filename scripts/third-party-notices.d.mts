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
/** The packages in the notices: those bundled, and those whose generated code is bundled. */
export interface Notices {
  bundled: NoticedPackage[];
  generators: NoticedPackage[];
}
export function writeThirdPartyNotices(metafile: Metafile): Promise<Notices>;
