import { realpathSync, type Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { readProblem } from "../files/file-error.js";
import { loadManifest, type LoadedManifest } from "./load-manifest.js";
import { describeSelector, selectorKey } from "./account-selector.js";
import { formatProblem, ManifestError, type ManifestProblem } from "./manifest-error.js";

/** The manifest files of a folder: those the shell's `*.yaml` and `*.yml` would name. */
const MANIFEST_NAME = /^[^.].*\.ya?ml$/;

/**
 * Reads every manifest that `paths` name: a file, or a folder (each `*.yaml` and `*.yml` file directly in
 * it, by name). The same file named twice (or once directly and once through its folder) is read once.
 * Every problem of every file is reported together; then two manifests for the same account, or two
 * without `account:` (both for the key's own organization), are an error naming both places. In the order
 * the paths were given, a folder's files in the order of their names.
 */
export async function loadManifests(paths: readonly string[]): Promise<LoadedManifest[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  const problems: ManifestProblem[] = [];
  for (const path of paths) {
    let named: NamedFile[];
    try {
      named = await manifestFiles(path);
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      problems.push(...error.problems);
      continue;
    }
    for (const { file, identity } of named) {
      if (seen.has(identity)) continue;
      seen.add(identity);
      files.push(file);
    }
  }
  const loaded = await loadEach(files);
  const manifests: LoadedManifest[] = [];
  for (const result of loaded) {
    if (result.status === "fulfilled") manifests.push(result.value);
    else if (result.reason instanceof ManifestError) problems.push(...result.reason.problems);
    else throw result.reason;
  }
  if (problems.length === 0) problems.push(...sameAccountProblems(manifests));
  if (problems.length > 0) throw new ManifestError(problems);
  return manifests;
}

/**
 * Each file loaded, one after another, as Promise.allSettled reports them. One at a time, a folder of any size
 * holds one file descriptor at a time; a queue such as p-limit's cost more than the reading, in a folder of
 * 1,000 small manifests (most read and built without waiting on anything).
 */
async function loadEach(files: readonly string[]): Promise<PromiseSettledResult<LoadedManifest>[]> {
  const loaded: PromiseSettledResult<LoadedManifest>[] = [];
  for (const file of files) {
    try {
      loaded.push({ status: "fulfilled", value: await loadManifest(file) });
    } catch (reason) {
      loaded.push({ status: "rejected", reason });
    }
  }
  return loaded;
}

/** A manifest file as a path names it, and what tells it from every other file: its real path. */
interface NamedFile {
  file: string;
  identity: string;
}

/**
 * The files a path names: the path itself, or a folder's manifests sorted by name (code point order, as `ls` in the C
 * locale).
 */
async function manifestFiles(path: string): Promise<NamedFile[]> {
  const info = await stat(path).catch(() => undefined);
  // A path that is missing or not a folder is loadManifest's to read or to refuse, in its words.
  if (!info?.isDirectory()) return [{ file: path, identity: realPath(path) }];
  let entries: Dirent[];
  try {
    entries = (await readdir(path, { withFileTypes: true })).filter((entry) => MANIFEST_NAME.test(entry.name));
  } catch (error) {
    throw new ManifestError([
      {
        file: path,
        line: 1,
        col: 1,
        message: `cannot read the folder: ${readProblem((error as NodeJS.ErrnoException).code, path)}`,
      },
    ]);
  }
  if (entries.length === 0) {
    throw new ManifestError([
      {
        file: path,
        line: 1,
        col: 1,
        message:
          "no manifest in this folder (roster reads each *.yaml and *.yml file directly in it): add one, or name the " +
          "manifest files themselves",
      },
    ]);
  }
  // The folder is resolved once: a plain file in it is the folder's real path and its name. Only a link (or what
  // readdir cannot tell) is resolved on its own. One by one, a folder of 1,000 manifests cost 4,000 calls.
  const folder = realPath(path);
  return entries
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => {
      const file = join(path, entry.name);
      return { file, identity: entry.isFile() ? join(folder, entry.name) : realPath(file) };
    });
}

/** The real path of `file`, or the path itself where it has none (a missing file is loadManifest's to refuse). */
function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/** Each manifest that names an account (or the key's own organization) an earlier manifest named already. */
function sameAccountProblems(manifests: readonly LoadedManifest[]): ManifestProblem[] {
  const first = new Map<string, LoadedManifest>();
  const problems: ManifestProblem[] = [];
  for (const manifest of manifests) {
    const key = manifest.account ? selectorKey(manifest.account) : "";
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, manifest);
      continue;
    }
    const place = (m: LoadedManifest) => m.account?.position ?? { line: 1, col: 1 };
    const there = formatProblem({ file: earlier.path, ...place(earlier), message: "" }).slice(0, -2);
    const message = manifest.account
      ? `${describeSelector(manifest.account)} is named by ${there} as well: each account has one manifest; merge the ` +
        `two`
      : `neither this manifest nor ${there} names an account (account:), so both are for the API key's own ` +
        `organization: merge the two, or give the managed account's manifest an account:`;
    problems.push({ file: manifest.path, ...place(manifest), message });
  }
  return problems;
}
