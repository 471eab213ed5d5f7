import { GUARD_KEYS } from "./guard-keys.js";
import type { SourcePosition } from "./manifest.js";

/** A path into the manifest's data, as JSON Schema and the yaml library name it. */
export type DataPath = readonly (string | number)[];

/** The data of a manifest and where each part of it was written. */
export interface ScannedSource {
  value: unknown;
  /** Where the node at `path` starts; the nearest written ancestor when the node itself is absent. */
  positionOf(path: DataPath): SourcePosition;
}

/**
 * A fast reader for the plain form nearly every manifest is written in: `version: N`, block lists of emails
 * or of `email:`/`name:`/`comment:`/`expires:` mappings, `protect:` patterns and `- group:` entries, `guards:`
 * and `policy:` numbers and the `account:` mapping (a folder of manifests across managed accounts has one in each),
 * with comments. Users' `groups:` lists and the groups guard are left to the yaml library.
 *
 * The yaml library costs tens of milliseconds to warm up on a cold start, which is most of the time
 * `roster validate` takes. This reader accepts only lines whose meaning in YAML is beyond doubt, and returns
 * undefined for anything else (quotes with escapes, flow collections, anchors, tags, tabs, CRLF, document
 * markers, numbers or booleans where text is expected, a ':' or '#' inside a value...), so that the yaml
 * library reads those and reports their errors. A differential test checks that whatever this accepts,
 * yaml reads to the same data at the same positions.
 */
export function scanPlainManifest(text: string): ScannedSource | undefined {
  if (text.includes("\r") || text.includes("\t")) return undefined;
  const root: Record<string, unknown> = {};
  const positions = new Map<string, SourcePosition>();
  const at = (path: DataPath, line: number, col: number) => positions.set(path.join("\u0000"), { line, col });
  // The users' places by index, apart: a manifest of 90,000 users would make 90,000 keys of the map above.
  const userAt: SourcePosition[] = [];
  const userKeysAt: (Record<string, SourcePosition> | undefined)[] = [];

  let section: { key: string; kind: "list" | "map" | "none"; itemIndent: number } | undefined;
  let item: { index: number; keyIndent: number; map: Record<string, unknown> } | undefined;

  // Line by line, without splitting the text: only a line's content is cut out of it, once. Only spaces indent
  // (and end a value): to YAML, a no-break or other Unicode space is content, so a line with one is left to it.
  let lineNo = 0;
  for (let start = 0, end = 0; start <= text.length; start = end + 1) {
    end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNo += 1;
    let first = start;
    while (first < end && text.charCodeAt(first) === SPACE) first += 1;
    if (first === end || text.charCodeAt(first) === HASH) continue;
    const indent = first - start;
    const body = text.slice(first, end);

    if (indent === 0) {
      item = undefined;
      const entry = keyValue(body);
      if (!entry || entry.key in root || !TOP_KEYS.has(entry.key)) return undefined;
      at([entry.key], lineNo, 1);
      if (entry.value === undefined) {
        // An empty value has no place of its own: its key's place stands for it.
        root[entry.key] = null;
        section = { key: entry.key, kind: "none", itemIndent: -1 };
        continue;
      }
      if (entry.key !== "version" || entry.value.quoted || !/^(0|[1-9][0-9]{0,8})$/.test(entry.value.text))
        return undefined;
      root.version = Number(entry.value.text);
      at(["version"], lineNo, entry.valueCol + 1);
      section = undefined;
      continue;
    }
    if (!section) return undefined;

    // guards, policy and account: block mappings, numbers for guards, whole numbers for policy, text for the
    // account's one key.
    if (section.key === "guards" || section.key === "policy" || section.key === "account") {
      if (section.kind === "list") return undefined;
      if (section.kind === "none") {
        section.kind = "map";
        section.itemIndent = indent;
        root[section.key] = {};
        at([section.key], lineNo, indent + 1);
      }
      const map = root[section.key] as Record<string, unknown>;
      const entry = indent === section.itemIndent ? keyValue(body) : undefined;
      if (!entry || entry.value === undefined || entry.key in map) return undefined;
      if (section.key === "guards") {
        if (
          !GUARD_NAMES.has(entry.key) ||
          !/^(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?$/.test(entry.value.text) ||
          entry.value.quoted
        )
          return undefined;
        map[entry.key] = Number(entry.value.text);
      } else if (section.key === "policy") {
        if (!POLICY_NAMES.has(entry.key) || !/^(0|[1-9][0-9]{0,8})$/.test(entry.value.text) || entry.value.quoted)
          return undefined;
        map[entry.key] = Number(entry.value.text);
      } else {
        if (!ACCOUNT_KEYS.has(entry.key) || !isText(entry.value)) return undefined;
        map[entry.key] = entry.value.text;
      }
      at([section.key, entry.key], lineNo, indent + entry.valueCol + 1);
      continue;
    }

    // users and protect: block lists.
    if (body.startsWith("- ") || body === "-") {
      if (section.kind === "map") return undefined;
      if (section.kind === "none") {
        section.kind = "list";
        section.itemIndent = indent;
        root[section.key] = [];
        at([section.key], lineNo, indent + 1);
      }
      if (indent !== section.itemIndent) return undefined;
      const list = root[section.key] as unknown[];
      const index = list.length;
      let restStart = first + 1;
      while (restStart < end && text.charCodeAt(restStart) === SPACE) restStart += 1;
      const rest = text.slice(restStart, end);
      const restCol = restStart - start;
      item = undefined;
      // Nearly every line of a manifest: a plain address, which YAML reads as that text.
      if (PLAIN_EMAIL.test(rest)) {
        list.push(rest);
        if (section.key === "users") userAt[index] = { line: lineNo, col: restCol + 1 };
        else at([section.key, index], lineNo, restCol + 1);
        continue;
      }
      if (rest === "" || rest.startsWith("#")) return undefined;
      const entry = keyValue(rest);
      if (entry) {
        const keys = section.key === "users" ? USER_KEYS : PROTECT_KEYS;
        if (!keys.has(entry.key) || entry.value === undefined || !isText(entry.value)) return undefined;
        const map: Record<string, unknown> = { [entry.key]: entry.value.text };
        list.push(map);
        const where = { line: lineNo, col: restCol + entry.valueCol + 1 };
        if (section.key === "users") {
          userAt[index] = { line: lineNo, col: restCol + 1 };
          userKeysAt[index] = { [entry.key]: where };
        } else {
          at([section.key, index], lineNo, restCol + 1);
          positions.set([section.key, index, entry.key].join("\u0000"), where);
        }
        // A protect entry written as a mapping has one key, group: a further key is left to the yaml library.
        item = section.key === "users" ? { index, keyIndent: restCol, map } : undefined;
        continue;
      }
      const scalar = scalarValue(rest);
      if (!scalar || !isText(scalar)) return undefined;
      list.push(scalar.text);
      if (section.key === "users") userAt[index] = { line: lineNo, col: restCol + 1 };
      else at([section.key, index], lineNo, restCol + 1);
      continue;
    }

    // A further key of a user written as a mapping.
    if (!item || section.key !== "users" || indent !== item.keyIndent) return undefined;
    const entry = keyValue(body);
    if (
      !entry ||
      entry.value === undefined ||
      !isText(entry.value) ||
      !USER_KEYS.has(entry.key) ||
      entry.key in item.map
    )
      return undefined;
    item.map[entry.key] = entry.value.text;
    userKeysAt[item.index]![entry.key] = { line: lineNo, col: indent + entry.valueCol + 1 };
  }

  if (Object.keys(root).length === 0) return undefined;
  return {
    value: root,
    positionOf(path) {
      const index = path[1];
      if (path[0] === "users" && typeof index === "number" && userAt[index]) {
        const key = path[2];
        return (path.length === 3 && typeof key === "string" && userKeysAt[index]?.[key]) || userAt[index]!;
      }
      // A user's place is in the arrays above, or else it is the list's own.
      for (let n = path[0] === "users" ? 1 : path.length; n > 0; n -= 1) {
        const found = positions.get(path.slice(0, n).join("\u0000"));
        if (found) return found;
      }
      return { line: 1, col: 1 };
    },
  };
}

// An address YAML reads as plain text beyond doubt: it starts with a letter, digit or underscore and holds none of
// YAML's indicators, spaces or anything but ASCII letters, digits and . _ % + - (scalarValue says the same of it).
const PLAIN_EMAIL = /^[A-Za-z0-9_][A-Za-z0-9._%+-]*@[A-Za-z0-9.-]+$/;
const SPACE = 0x20;
const HASH = 0x23;
const TOP_KEYS = new Set(["version", "users", "protect", "guards", "policy", "account"]);
const USER_KEYS = new Set(["email", "name", "comment", "expires"]);
const POLICY_NAMES = new Set(["warn_before_expiry_days", "inactive_after_days"]);
const PROTECT_KEYS = new Set(["group"]);
const ACCOUNT_KEYS = new Set(["id", "email", "organization_name"]);
const GUARD_NAMES = new Set<string>(Object.values(GUARD_KEYS));

interface Scalar {
  text: string;
  quoted: boolean;
}

/** `key: value` or `key:` with a plain key; the value's column is relative to the start of `body`. */
function keyValue(body: string): { key: string; value: Scalar | undefined; valueCol: number } | undefined {
  const match = /^([a-z_]+):(?: +|$)/.exec(body);
  if (!match) return undefined;
  const rest = body.slice(match[0].length);
  if (rest === "" || rest.startsWith("#")) {
    if (rest.startsWith("#") && !match[0].endsWith(" ")) return undefined;
    return { key: match[1]!, value: undefined, valueCol: match[0].length };
  }
  const value = scalarValue(rest);
  return value ? { key: match[1]!, value, valueCol: match[0].length } : undefined;
}

// A plain value whose YAML meaning is plain text: starts with a letter, digit or underscore and holds no
// character that could start a comment or a mapping. Commas, brackets and quotes are text inside a block
// value; the rarer indicators (& * ! | > % `) are left to the yaml library all the same.
const PLAIN = /^[\p{L}\p{N}_][^:#&*!|>%`\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]*$/u;
// Plain values YAML's core schema reads as something other than text.
const NOT_TEXT =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** Text as YAML reads it: quoted, or plain and not a number, boolean or null. */
function isText(scalar: Scalar): boolean {
  return scalar.quoted || !NOT_TEXT.test(scalar.text);
}

/** A value followed by nothing or by ` # comment`. */
function scalarValue(rest: string): Scalar | undefined {
  let text: string;
  let after: string;
  let quoted = false;
  if (rest.startsWith('"') || rest.startsWith("'")) {
    const quote = rest[0]!;
    const end = rest.indexOf(quote, 1);
    if (end < 0) return undefined;
    text = rest.slice(1, end);
    if (text.includes("\\") || /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/u.test(text)) return undefined;
    after = rest.slice(end + 1);
    quoted = true;
  } else {
    const hash = rest.indexOf(" #");
    text = withoutTrailingSpaces(hash < 0 ? rest : rest.slice(0, hash));
    after = hash < 0 ? "" : rest.slice(hash);
    if (!PLAIN.test(text) || text.includes("  ")) return undefined;
  }
  if (!/^ *$/.test(after) && !/^ +#/.test(after)) return undefined;
  return { text, quoted };
}

/** `text` without the spaces it ends with: only spaces, which YAML does not count as part of a plain value. */
function withoutTrailingSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === SPACE) end -= 1;
  return end === text.length ? text : text.slice(0, end);
}
