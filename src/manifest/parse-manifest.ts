import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import { emailProblem, normalizeEmail } from "../core/email.js";
import { guardSettings } from "./guard-keys.js";
import { plainManifest, type ManifestData } from "./plain-manifest.js";
import { patternProblem } from "./protect-pattern.js";
import type { DesiredUser, Manifest, SourcePosition } from "./manifest.js";
import { ManifestError, type ManifestProblem } from "./manifest-error.js";
import { describe, locate, mappingName, schemaProblems } from "./schema-problems.js";

/**
 * Parses and validates the text of a manifest. Pure: the same text always gives the same manifest or the
 * same problems, every one of them positioned in `file`.
 *
 * Four passes, each needing the one before: the YAML itself; what YAML can say and JSON cannot (aliases,
 * keys that are not text); the JSON Schema, which holds every structural rule; and what a schema cannot
 * say (a user listed twice in different letter case).
 */
export function parseManifest(text: string, file: string): Manifest {
  return plainManifest(text, file) ?? parseManifestWithYaml(text, file);
}

/** The full reading, with the yaml library: every problem found, worded and positioned. */
export function parseManifestWithYaml(text: string, file: string): Manifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  const positionOf = (node: Node | null | undefined): SourcePosition => at(node?.range?.[0] ?? 0);
  const problems: ManifestProblem[] = [];
  const report = (node: Node | null | undefined, message: string) => problems.push({ file, ...positionOf(node), message });
  const fail = (): never => {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new ManifestError(problems);
  };

  for (const error of [...doc.errors, ...doc.warnings]) {
    problems.push({ file, ...at(error.pos[0]), message: yamlMessage(error.code, error.message) });
  }
  if (problems.length > 0) fail();

  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) {
    throw new ManifestError([{ file, line: 1, col: 1, message: 'the manifest is empty: start it with "version: 1" and a "users:" list' }]);
  }
  // Checked before the data is built: an alias bomb must never expand.
  yamlOnlyProblems(root, [], report);
  if (problems.length > 0) fail();

  const data = doc.toJS() as unknown;
  // A pattern's own check words and places its problem at the character (see protectPatterns): the
  // schema's refusal of the same pattern is not reported twice.
  const refused = schemaProblems(data, root).filter((problem) => !isPatternProblem(data, problem.path));
  for (const problem of refused) report(problem.node, problem.message);
  const users = desiredUsers(data, root, new Set(refused.map((p) => p.path.join("/"))), report, positionOf);
  const protectAt = protectPatterns(data, root, text, at, (position, message) => problems.push({ file, ...position, message }), positionOf);
  if (problems.length > 0) fail();

  const valid = data as ManifestData;
  return { path: file, version: 1, users, protect: (valid.protect ?? []).map((p) => p.trim()), protectAt, guards: guardSettings(valid.guards) };
}

/** Whether the schema error at `path` is a protect pattern that patternProblem words itself. */
function isPatternProblem(data: unknown, path: readonly (string | number)[]): boolean {
  if (path.length !== 2 || path[0] !== "protect") return false;
  const pattern = (data as { protect?: unknown[] }).protect?.[path[1] as number];
  return typeof pattern === "string" && patternProblem(pattern) !== undefined;
}

type Report = (node: Node | null | undefined, message: string) => void;

function yamlMessage(code: string, message: string): string {
  const first = message.split(/ at line \d+, column \d+/)[0] ?? message;
  if (code === "DUPLICATE_KEY") return "duplicate key: each key may appear once in a mapping";
  if (code === "MULTIPLE_DOCS") return "several YAML documents in one file: a manifest is one document (remove the '---' separator)";
  if (/maximum call stack/i.test(message)) return "nested too deeply to read: a manifest is a mapping holding lists of emails";
  return `YAML syntax error: ${first.trim()}`;
}

/** What YAML can say and a JSON Schema cannot see: aliases, and keys that are not plain text. */
function yamlOnlyProblems(node: unknown, path: (string | number)[], report: Report): void {
  if (isAlias(node)) {
    report(node, "YAML aliases (*name) are not allowed in a manifest: write the value out");
  } else if (isMap(node)) {
    for (const pair of node.items as Pair<Node, Node | null>[]) {
      const key = pair.key;
      if (isAlias(key) || !isScalar(key) || typeof key.value !== "string") {
        report(key, `keys in ${mappingName(path)} must be plain words, found ${describe(key)}`);
        continue;
      }
      yamlOnlyProblems(pair.value, [...path, key.value], report);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => yamlOnlyProblems(item, [...path, index], report));
  }
}

/**
 * The users whose email passed the schema, normalised, each once: a user listed twice, even in another
 * letter case, is a problem naming the first line. Runs even when other parts of the manifest have
 * problems, so that every problem is reported at once.
 */
function desiredUsers(
  data: unknown,
  root: Node,
  refusedPaths: ReadonlySet<string>,
  report: Report,
  positionOf: (node: Node | null) => SourcePosition,
): DesiredUser[] {
  const list = (data as { users?: unknown } | null)?.users;
  const listNode = locate(root, ["users"]).node;
  if (!Array.isArray(list) || !isSeq(listNode)) return [];
  const users: DesiredUser[] = [];
  const firstSeen = new Map<string, number>();
  list.forEach((item: unknown, index) => {
    const entry = typeof item === "string" ? { email: item } : (item as { email?: unknown; name?: unknown; comment?: unknown } | null);
    const emailPath = typeof item === "string" ? ["users", index] : ["users", index, "email"];
    const emailNode = locate(root, emailPath).node;
    // An email the schema refused is reported there; it cannot also be a duplicate.
    if (typeof entry?.email !== "string" || !emailNode || refusedPaths.has(emailPath.join("/"))) return;
    const position = positionOf(emailNode);
    const email = normalizeEmail(entry.email);
    const problem = emailProblem(entry.email);
    if (problem) {
      report(emailNode, `invalid email ${JSON.stringify(entry.email)}: ${problem}`);
      return;
    }
    const first = firstSeen.get(email);
    if (first !== undefined) {
      report(listNode.items[index] as Node, `duplicate user ${JSON.stringify(email)} (first at line ${first})`);
      return;
    }
    firstSeen.set(email, position.line);
    const user: DesiredUser = { email, written: entry.email, position };
    if (typeof entry.name === "string") user.name = entry.name;
    if (typeof entry.comment === "string") user.comment = entry.comment;
    users.push(user);
  });
  return users;
}

/**
 * Checks each protect pattern as emails are checked, and refuses pattern syntax roster does not support,
 * at the offending character when the pattern is written plainly or quoted without escapes (else at the
 * pattern). Returns where each pattern is written, for the plan's warnings.
 */
function protectPatterns(
  data: unknown,
  root: Node,
  text: string,
  at: (offset: number) => SourcePosition,
  report: (position: SourcePosition, message: string) => void,
  positionOf: (node: Node | null) => SourcePosition,
): SourcePosition[] {
  const patterns = (data as { protect?: unknown } | null)?.protect;
  if (!Array.isArray(patterns)) return [];
  return patterns.map((pattern: unknown, index) => {
    const node = locate(root, ["protect", index]).node;
    const position = positionOf(node);
    if (typeof pattern !== "string") return position;
    const problem = patternProblem(pattern);
    if (problem) {
      const range = node?.range;
      const source = range ? text.slice(range[0], range[1]) : "";
      const offset = !range
        ? undefined
        : source === pattern
          ? range[0] + problem.index
          : source.length === pattern.length + 2 && source.slice(1, -1) === pattern
            ? range[0] + 1 + problem.index
            : undefined;
      report(offset === undefined ? position : at(offset), problem.message);
    }
    return position;
  });
}