import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from "yaml";
import { emailProblem, normalizeEmail } from "./email.js";
import type { DesiredUser, GuardSettings, Manifest, SourcePosition } from "./manifest.js";
import { ManifestError, type ManifestProblem } from "./manifest-error.js";

const TOP_KEYS = ["version", "users", "protect", "guards"];
const USER_KEYS = ["email", "name", "comment"];
const GUARD_KEYS = ["max_removals", "max_removal_percent"];

/**
 * Parses and validates the text of a manifest. Pure: the same text always gives the same manifest or the
 * same problems, every one of them positioned in `file`.
 */
export function parseManifest(text: string, file: string): Manifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const problems: ManifestProblem[] = [];
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  const positionOf: PositionOf = (node) => at(node?.range?.[0] ?? 0);
  const report: Report = (node, message) => problems.push({ file, ...positionOf(node), message });

  for (const error of [...doc.errors, ...doc.warnings]) {
    problems.push({ file, ...at(error.pos[0]), message: yamlMessage(error.code, error.message) });
  }
  if (problems.length > 0) throw new ManifestError(problems);

  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) {
    throw new ManifestError([{ file, line: 1, col: 1, message: 'the manifest is empty: start it with "version: 1" and a "users:" list' }]);
  }
  if (!isMap(root)) {
    report(root, `the manifest must be a mapping with "version" and "users", found ${describe(root)}`);
    throw new ManifestError(problems);
  }
  rejectAliases(root, report);

  const entries = mapEntries(root, TOP_KEYS, "the manifest", report);

  const versionNode = entries.get("version");
  if (!versionNode) {
    report(root, 'missing "version": add "version: 1" at the top of the manifest');
  } else if (!isScalar(versionNode.value) || versionNode.value.value !== 1) {
    const found = isScalar(versionNode.value) ? JSON.stringify(versionNode.value.value) : describe(versionNode.value);
    report(versionNode.value ?? versionNode.key, `unsupported version ${found}: roster understands "version: 1"`);
  }

  const users = parseUsers(entries.get("users"), root, report, positionOf);
  const protect = parseProtect(entries.get("protect"), report);
  const guards = parseGuards(entries.get("guards"), report);

  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new ManifestError(problems);
  }
  return { path: file, version: 1, users, protect, guards };
}

type Located = { range?: [number, number, number] | null } | null | undefined;
type Report = (node: Located, message: string) => void;
type PositionOf = (node: Located) => SourcePosition;
type Entry = Pair<Node, Node | null> & { key: Node };

function yamlMessage(code: string, message: string): string {
  const first = message.split(/ at line \d+, column \d+/)[0] ?? message;
  if (code === "DUPLICATE_KEY") return "duplicate key: each key may appear once in a mapping";
  if (code === "MULTIPLE_DOCS") return "several YAML documents in one file: a manifest is one document (remove the '---' separator)";
  if (/maximum call stack/i.test(message)) return "nested too deeply to read: a manifest is a mapping holding lists of emails";
  return `YAML syntax error: ${first.trim()}`;
}

function describe(node: unknown): string {
  if (node === null || node === undefined) return "nothing";
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isAlias(node)) return "an alias";
  if (isScalar(node)) {
    const value = node.value;
    if (value === null) return "nothing";
    if (typeof value === "string") return `the text ${JSON.stringify(value)}`;
    if (typeof value === "number") return `the number ${value}`;
    if (typeof value === "boolean") return `the boolean ${value}`;
    if (value instanceof Uint8Array) return "binary data (!!binary)";
    if (value instanceof Date) return "a date";
    if (typeof value === "symbol") return "the YAML merge key <<";
    return `a value of type ${typeof value}`;
  }
  return "an unknown value";
}

function rejectAliases(node: unknown, report: Report): void {
  if (isAlias(node)) {
    report(node, "YAML aliases (*name) are not allowed in a manifest: write the value out");
    return;
  }
  if (isMap(node) || isSeq(node)) {
    for (const item of node.items as unknown[]) {
      if (isMap(node)) {
        const pair = item as Pair;
        rejectAliases(pair.key, report);
        rejectAliases(pair.value, report);
      } else {
        rejectAliases(item, report);
      }
    }
  }
}

function mapEntries(map: YAMLMap, allowed: string[], what: string, report: Report): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const pair of map.items as Pair<Node, Node | null>[]) {
    const key = pair.key;
    if (!isScalar(key) || typeof key.value !== "string") {
      report(key ?? pair, `keys in ${what} must be plain words, found ${describe(key)}`);
      continue;
    }
    if (!allowed.includes(key.value)) {
      report(key, `unknown key ${JSON.stringify(key.value)} in ${what}: the keys allowed are ${allowed.join(", ")}`);
      continue;
    }
    entries.set(key.value, pair as Entry);
  }
  return entries;
}

/** An empty value has no place of its own in the text: point at its key instead. */
function valueOrKey(entry: Entry): Node {
  const value = entry.value;
  return value === null || (isScalar(value) && value.value === null) ? entry.key : value;
}

function stringValue(node: Node | null | undefined): string | undefined {
  return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

function parseUsers(entry: Entry | undefined, root: YAMLMap, report: Report, positionOf: PositionOf): DesiredUser[] {
  if (!entry) {
    report(root, 'missing "users": list the emails of everyone who may stay in the organization');
    return [];
  }
  const list = entry.value;
  if (!isSeq(list)) {
    report(valueOrKey(entry), `"users" must be a list of emails, found ${describe(list)}`);
    return [];
  }
  if (list.items.length === 0) {
    report(list, '"users" is empty: roster will not plan to remove everyone; list the users who stay');
    return [];
  }
  const users: DesiredUser[] = [];
  const firstSeen = new Map<string, number>();
  for (const item of list.items as (Node | null)[]) {
    const user = parseUser(item, list, report, positionOf);
    if (!user) continue;
    const first = firstSeen.get(user.email);
    if (first !== undefined) {
      report(item, `duplicate user ${JSON.stringify(user.email)} (first at line ${first})`);
      continue;
    }
    firstSeen.set(user.email, user.position.line);
    users.push(user);
  }
  return users;
}

function parseUser(item: Node | null, list: Node, report: Report, positionOf: PositionOf): DesiredUser | undefined {
  const node = item ?? list;
  let emailNode: Node | null | undefined = item;
  let name: string | undefined;
  let comment: string | undefined;
  if (isMap(item)) {
    const entries = mapEntries(item, USER_KEYS, "a user", report);
    const emailEntry = entries.get("email");
    if (!emailEntry) {
      report(item, 'a user written as a mapping needs an "email" key');
      return undefined;
    }
    emailNode = emailEntry.value;
    for (const field of ["name", "comment"] as const) {
      const entry = entries.get(field);
      if (!entry) continue;
      const value = stringValue(entry.value);
      if (value === undefined) {
        report(entry.value ?? entry.key, `"${field}" must be text, found ${describe(entry.value)}`);
      } else if (field === "name") {
        name = value;
      } else {
        comment = value;
      }
    }
  }
  const written = stringValue(emailNode);
  if (written === undefined) {
    report(emailNode ?? node, `expected an email, found ${describe(emailNode)}`);
    return undefined;
  }
  const email = normalizeEmail(written);
  const problem = emailProblem(email);
  if (problem) {
    report(emailNode, `invalid email ${JSON.stringify(written)}: ${problem}`);
    return undefined;
  }
  const position = positionOf(emailNode ?? node);
  const user: DesiredUser = { email, written, position };
  if (name !== undefined) user.name = name;
  if (comment !== undefined) user.comment = comment;
  return user;
}

function parseProtect(entry: Entry | undefined, report: Report): string[] {
  if (!entry) return [];
  const list = entry.value;
  if (!isSeq(list)) {
    report(valueOrKey(entry), `"protect" must be a list of email patterns such as "*@partners.example.com", found ${describe(list)}`);
    return [];
  }
  const patterns: string[] = [];
  for (const item of list.items as (Node | null)[]) {
    const value = stringValue(item);
    if (value === undefined || value.trim() === "") {
      report(item ?? list, `a protect pattern must be non-empty text such as "*@partners.example.com", found ${describe(item)}`);
      continue;
    }
    if (/\p{C}/u.test(value)) {
      report(item, "a protect pattern must not hold invisible or control characters: it would not match what it looks like");
      continue;
    }
    patterns.push(value.trim());
  }
  return patterns;
}

function parseGuards(entry: Entry | undefined, report: Report): GuardSettings {
  const guards: GuardSettings = {};
  if (!entry) return guards;
  const map = entry.value;
  if (!isMap(map)) {
    report(valueOrKey(entry), `"guards" must be a mapping with max_removals and/or max_removal_percent, found ${describe(map)}`);
    return guards;
  }
  const entries = mapEntries(map, GUARD_KEYS, "guards", report);
  const count = entries.get("max_removals");
  if (count) {
    const value = isScalar(count.value) ? count.value.value : undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      report(count.value ?? count.key, `max_removals must be a whole number of 0 or more, found ${describe(count.value)}`);
    } else {
      guards.maxRemovals = value;
    }
  }
  const percent = entries.get("max_removal_percent");
  if (percent) {
    const value = isScalar(percent.value) ? percent.value.value : undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 100) {
      report(percent.value ?? percent.key, `max_removal_percent must be a number from 0 to 100, found ${describe(percent.value)}`);
    } else {
      guards.maxRemovalPercent = value;
    }
  }
  return guards;
}
