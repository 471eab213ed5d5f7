import { write, type Io } from "../cli/io.js";
import { loadManifest } from "../manifest/load-manifest.js";
import { plural } from "../render/lines.js";

export interface ValidateOptions {
  file: string;
}

/** Checks the manifest offline: no key needed, no request made. */
export async function validateCommand(options: ValidateOptions, io: Io): Promise<number> {
  const manifest = await loadManifest(options.file);
  const patterns = manifest.protect.length > 0 ? `, ${plural(manifest.protect.length, "protect pattern")}` : "";
  write(io.stdout, `${options.file}: valid manifest: ${plural(manifest.users.length, "user")}${patterns}\n`, io.env);
  return 0;
}
