import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import { plainManifest } from "./plain-manifest.js";
import { patternProblem, type PatternProblem } from "./protect-pattern.js";
import type { Manifest, SourcePosition } from "./manifest.js";
import { toManifest } from "./to-manifest.js";
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
  const report = (node: Node | null | undefined, message: string) =>
    problems.push({ file, ...positionOf(node), message });
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
    throw new ManifestError([
      { file, line: 1, col: 1, message: 'the manifest is empty: start it with "version: 1" and a "users:" list' },
    ]);
  }
  // Checked before the data is built: an alias bomb must never expand.
  yamlOnlyProblems(root, [], report);
  if (problems.length > 0) fail();

  const data = doc.toJS() as unknown;
  // A pattern's own check words and places its problem at the character (see protectPatterns): the
  // schema's refusal of the same pattern is not reported twice.
  const refused = schemaProblems(data, root).filter((problem) => !isPatternProblem(data, problem.path));
  for (const problem of refused) report(problem.node, problem.message);
  const manifest = toManifest(
    file,
    {
      data,
      positionOf: (path) => (locate(root, path).node ? positionOf(locate(root, path).node) : undefined),
      refused: new Set(refused.map((p) => p.path.join("/"))),
    },
    (problem) => {
      const node = locate(root, problem.path).node;
      if (problem.kind === "pattern")
        problems.push({
          file,
          ...patternPosition(problem.pattern, problem.problem, node, text, at, positionOf),
          message: problem.problem.message,
        });
      else report(node, problem.message);
    },
  );
  if (problems.length > 0) fail();
  return manifest;
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
  if (code === "MULTIPLE_DOCS")
    return "several YAML documents in one file: a manifest is one document (remove the '---' separator)";
  if (/maximum call stack/i.test(message))
    return "nested too deeply to read: a manifest is a mapping holding lists of emails";
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
 * Where a protect pattern's problem is: at the offending character when the pattern is written plainly or
 * quoted without escapes, else at the pattern.
 */
function patternPosition(
  pattern: string,
  problem: PatternProblem,
  node: Node | null | undefined,
  text: string,
  at: (offset: number) => SourcePosition,
  positionOf: (node: Node | null | undefined) => SourcePosition,
): SourcePosition {
  const range = node?.range;
  const source = range ? text.slice(range[0], range[1]) : "";
  const offset = !range
    ? undefined
    : source === pattern
      ? range[0] + problem.index
      : source.length === pattern.length + 2 && source.slice(1, -1) === pattern
        ? range[0] + 1 + problem.index
        : undefined;
  return offset === undefined ? positionOf(node) : at(offset);
}
