import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The package name on npm, as the published schema's URL names it. */
const PACKAGE = "telnyx-roster";
const SCHEMA = "schema/users.schema.json";

/** The folder of the running roster: the first one above this module with telnyx-roster's package.json. */
function rosterRoot(): { root: string; version: string } | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up += 1) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown };
        if (name === PACKAGE && typeof version === "string") return { root: dir, version };
      } catch {
        // Not roster's package.json: keep looking above.
      }
    }
    dir = dirname(dir);
  }
  return undefined;
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

const slashes = (path: string) => path.split(sep).join("/");

/**
 * The `$schema` reference an exported manifest in `folder` gets by default: one that works for whoever checks
 * the manifest out, never a path into the install that happened to run.
 * - roster is a dev dependency of the project holding the file (a node_modules/telnyx-roster above `folder`
 *   is the running roster): the path to its schema through node_modules, which `npm ci` recreates;
 * - the file is inside roster's own folder (a checkout of roster): the path to the checkout's schema;
 * - else (a global install, npx, a checkout elsewhere): the published schema of this version on unpkg.
 */
export function defaultSchemaRef(folder: string): string {
  const running = rosterRoot();
  if (!running) return "users.schema.json";
  const runningReal = real(running.root);
  for (let dir = folder; ; dir = dirname(dir)) {
    const installed = join(dir, "node_modules", PACKAGE);
    if (runningReal !== undefined && real(installed) === runningReal)
      return slashes(relative(folder, join(installed, SCHEMA)));
    if (dirname(dir) === dir) break;
  }
  const realFolder = real(folder) ?? folder;
  const inside =
    runningReal !== undefined &&
    !relative(runningReal, realFolder).startsWith("..") &&
    !runningReal.split(sep).includes("node_modules");
  if (inside) return slashes(relative(realFolder, join(runningReal, SCHEMA)));
  return `https://unpkg.com/${PACKAGE}@${running.version}/${SCHEMA}`;
}
