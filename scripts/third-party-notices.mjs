// Writes THIRD-PARTY-NOTICES.txt: the name, version, licence and licence text of every package whose code
// esbuild put into dist/, read from the build's metafile, so the list is what the bundle really holds (a
// package tree-shaken away is not in it; one added by a new import is). The MIT, ISC and BSD licences of
// those packages require their notices to travel with every copy, and the npm package is a copy.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const NOTICES_FILE = "THIRD-PARTY-NOTICES.txt";

/**
 * Licence texts kept here for packages whose npm tarball ships none, each checked against the package's
 * own repository at the bundled version. yoga-layout 3.2.1: LICENSE of facebook/yoga at tag v3.2.1.
 */
const KEPT_LICENCES = { "yoga-layout": "scripts/licenses/yoga-layout.txt" };

/**
 * Packages whose generated code (not their own files) is in the bundle: Ajv compiles schema/ into the
 * validators of src/generated/ (scripts/schema-validators.mjs refuses any that would need Ajv's runtime).
 */
const GENERATORS = ["ajv"];

const LICENCE_FILE = /^(licen[cs]e|copying)([.-].*)?$/i;
const RULE = "=".repeat(80);

/** The folder of the package a bundled file belongs to: node_modules/NAME or node_modules/@SCOPE/NAME, innermost. */
export function packageFolderOf(path) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path.replaceAll("\\", "/"));
  return match ? match[1] : undefined;
}

/** Every package folder with at least one byte of its code in an output of the build. */
export function bundledPackageFolders(metafile) {
  const folders = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const folder = bytesInOutput > 0 ? packageFolderOf(path) : undefined;
      if (folder) folders.add(folder);
    }
  }
  return [...folders];
}

/** The licence named in a package.json: `license`, an old `{ type }` object, or a `licenses` list. */
function licenceName(manifest) {
  const { license, licenses } = manifest;
  if (typeof license === "string") return license;
  if (license && typeof license.type === "string") return license.type;
  if (Array.isArray(licenses)) return licenses.map((l) => (typeof l === "string" ? l : l.type)).join(" OR ");
  return undefined;
}

/** name, version, licence and licence text of the package in a folder; undefined text when it has none. */
async function describe(folder) {
  const manifest = JSON.parse(await readFile(join(folder, "package.json"), "utf8"));
  const files = (await readdir(folder)).filter((name) => LICENCE_FILE.test(name)).sort();
  const kept = KEPT_LICENCES[manifest.name];
  const sources = files.length > 0 ? files.map((name) => join(folder, name)) : kept ? [kept] : [];
  const texts = await Promise.all(sources.map((path) => readFile(path, "utf8")));
  const text = texts
    .map((t) => t.trim())
    .filter(Boolean)
    .join("\n\n");
  return { name: manifest.name, version: manifest.version, licence: licenceName(manifest), text, folder };
}

/** Reads the bundled packages' licences and writes the notices file; throws, naming them, if any has no text. */
export async function writeThirdPartyNotices(metafile) {
  const bundled = await Promise.all(bundledPackageFolders(metafile).map(describe));
  const generators = await Promise.all(GENERATORS.map((name) => describe(join("node_modules", name))));
  const unlicensed = [...bundled, ...generators].filter((p) => !p.text || !p.licence);
  if (unlicensed.length > 0) {
    const names = unlicensed.map((p) => `${p.name}@${p.version} (${p.folder})`).join(", ");
    throw new Error(
      `no licence text or no license field for ${names}: add the text from the package's repository at that ` +
        "version to scripts/licenses/ and to KEPT_LICENCES in scripts/third-party-notices.mjs",
    );
  }
  const byVersion = (a, b) => a.version.localeCompare(b.version, undefined, { numeric: true });
  const byName = (a, b) => a.name.localeCompare(b.name) || byVersion(a, b);
  const entry = (p) => `${RULE}\n${p.name} ${p.version} (${p.licence})\n${RULE}\n\n${p.text}\n`;
  const unique = [...new Map(bundled.map((p) => [`${p.name}@${p.version}`, p])).values()].sort(byName);
  const text = [
    "telnyx-roster bundles the code of the packages below into dist/. Their licences follow, one a package.\n",
    ...unique.map(entry),
    "The validators in dist/ are code generated at build time by the package below.\n",
    ...generators.sort(byName).map(entry),
  ].join("\n");
  await writeFile(NOTICES_FILE, text);
  return { bundled: unique, generators };
}
