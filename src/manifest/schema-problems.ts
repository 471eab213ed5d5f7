import { isAlias, isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import { validate as validateManifestSchema } from "../generated/manifest-schema.js";
import type { SchemaError } from "../generated/schema-validator.js";
import { emailProblem } from "../core/email.js";
import { patternProblem } from "./protect-pattern.js";

/** A place in the YAML document: the value's node and, when it is a mapping's value, its key's node. */
export interface Located {
  node: Node | null;
  key?: Node;
}

/** A problem found by the schema, at a YAML node, in roster's words. */
export interface SchemaProblem {
  node: Node | null;
  message: string;
  /** The data path, e.g. ["users", 3, "email"]. */
  path: (string | number)[];
}

/** What the manifest text says at a schema error: the error, the YAML node and how to describe it. */
interface Context {
  error: SchemaError;
  node: Node | null;
  /** "the number 42", "a list", "nothing"… */
  found: string;
  path: (string | number)[];
}

/**
 * roster's message for each place in a manifest that the schema can refuse, keyed by the data path with
 * list positions written "*" (so a user's email is "users/*" then "/email"). The schema decides what is
 * wrong; this table says it the way a person fixing the file needs to read it. Keyed by data path, not
 * schema path: Ajv reports a path inside a referenced definition relative to that definition.
 */
export const SCHEMA_MESSAGES: Record<string, (c: Context) => string> = {
  "": (c) => {
    if (c.error.keyword === "type")
      return `the manifest must be a mapping with "version" and "users", found ${c.found}`;
    if (c.error.keyword === "required") {
      return c.error.params.missingProperty === "version"
        ? 'missing "version": add "version: 1" at the top of the manifest'
        : 'missing "users": list the emails of everyone who may stay in the organization';
    }
    return unknownKey(c);
  },
  version: (c) =>
    `unsupported version ${isScalar(c.node) ? JSON.stringify(c.node.value) : c.found}: roster understands "version: 1"`,
  users: (c) =>
    c.error.keyword === "minItems"
      ? '"users" is empty: roster will not plan to remove everyone; list the users who stay'
      : `"users" must be a list of emails, found ${c.found}`,
  "users/*": (c) => {
    // Binary data and dates are objects to the schema, but in the file they are one value, not a mapping.
    if (!isMap(c.node)) return emailMessage(c);
    if (c.error.keyword === "required") return 'a user written as a mapping needs an "email" key';
    if (c.error.keyword === "additionalProperties") return unknownKey(c);
    return emailMessage(c);
  },
  "users/*/email": emailMessage,
  "users/*/name": (c) => `"name" must be text, found ${c.found}`,
  "users/*/comment": (c) => `"comment" must be text, found ${c.found}`,
  "users/*/expires": (c) => `"expires" must be the last day of access as a date such as 2026-12-31, found ${c.found}`,
  "users/*/groups": (c) => `"groups" must be a list of group names such as [Support], found ${c.found}`,
  "users/*/groups/*": (c) => groupNameMessage("a group", c),
  protect: (c) =>
    `"protect" must be a list of email patterns such as "*@partners.example.com" or { group: NAME }, found ${c.found}`,
  "protect/*": (c) => {
    if (isMap(c.node)) {
      if (c.error.keyword === "additionalProperties") return unknownKey(c);
      return "a protect entry written as a mapping names a group: { group: Admins }";
    }
    const problem = isScalar(c.node) && typeof c.node.value === "string" ? patternProblem(c.node.value) : undefined;
    return (
      problem?.message ??
      `a protect pattern must be non-empty text such as "*@partners.example.com", or { group: NAME }, found ${c.found}`
    );
  },
  "protect/*/group": (c) => groupNameMessage("a protected group", c),
  guards: (c) =>
    c.error.keyword === "type"
      ? `"guards" must be a mapping with max_removals, max_removal_percent and/or require_force_for_groups, found ` +
        `${c.found}`
      : unknownKey(c),
  "guards/max_removals": (c) => `max_removals must be a whole number of 0 or more, found ${c.found}`,
  "guards/max_removal_percent": (c) => `max_removal_percent must be a number from 0 to 100, found ${c.found}`,
  "guards/require_force_for_groups": (c) =>
    `require_force_for_groups must be a list of group names such as [Admins], found ${c.found}`,
  "guards/require_force_for_groups/*": (c) => groupNameMessage("a group", c),
  policy: (c) =>
    c.error.keyword === "type"
      ? `"policy" must be a mapping with warn_before_expiry_days and/or inactive_after_days, found ${c.found}`
      : unknownKey(c),
  "policy/warn_before_expiry_days": (c) =>
    `warn_before_expiry_days must be a whole number of days, 0 or more, found ${c.found}`,
  "policy/inactive_after_days": (c) =>
    `inactive_after_days must be a whole number of days, 1 or more, found ${c.found}`,
  account: accountMessage,
  "account/id": (c) =>
    c.error.keyword === "pattern" && isScalar(c.node) && typeof c.node.value === "string"
      ? `invalid account id ${JSON.stringify(c.node.value)}: write the managed account's id, a UUID such as ` +
        `${EXAMPLE_ID}`
      : `"id" must be the managed account's id, a UUID such as ${EXAMPLE_ID}, found ${c.found}`,
  "account/email": (c) => {
    if (c.error.keyword !== "pattern" || !isScalar(c.node) || typeof c.node.value !== "string")
      return `expected the managed account's email, found ${c.found}`;
    return (
      `invalid account email ${JSON.stringify(c.node.value)}: ` +
      `${emailProblem(c.node.value) ?? "write it as name@domain.example"}`
    );
  },
  "account/organization_name": (c) =>
    c.error.keyword === "pattern"
      ? `"organization_name" is blank: write the managed account's organization name`
      : `"organization_name" must be text, the managed account's organization name, found ${c.found}`,
};

/** A group name the schema refused: empty, blank or not text. */
function groupNameMessage(what: string, c: Context): string {
  return `${what} must be named by non-empty text as the Telnyx portal shows it, such as Admins, found ${c.found}`;
}

const ACCOUNT_KEYS = "id, email or organization_name";
const EXAMPLE_ID = "6a09cdc3-8948-47f0-aa62-74ac943d6c58";

/** `account:` names one managed account by exactly one key. */
function accountMessage(c: Context): string {
  if (c.error.keyword === "type") return `"account" must be a mapping with one key, ${ACCOUNT_KEYS}, found ${c.found}`;
  if (c.error.keyword === "minProperties")
    return `"account" is empty: name the managed account by one of ${ACCOUNT_KEYS}`;
  if (c.error.keyword === "maxProperties") {
    const keys = isMap(c.node)
      ? (c.node.items as Pair<Node, Node | null>[]).map((p) => (isScalar(p.key) ? String(p.key.value) : "?"))
      : [];
    return (
      `"account" names the managed account by ${keys.length} keys (${keys.join(", ")}): keep exactly one of ` +
      `${ACCOUNT_KEYS}`
    );
  }
  return unknownKey(c);
}

function emailMessage(c: Context): string {
  if (c.error.keyword !== "pattern" || !isScalar(c.node) || typeof c.node.value !== "string")
    return `expected an email, found ${c.found}`;
  // A hidden or look-alike character is the likelier reason, and the one a person cannot see.
  const why = emailProblem(c.node.value) ?? "write it as name@domain.example";
  return `invalid email ${JSON.stringify(c.node.value)}: ${why}`;
}

/**
 * Validates the manifest's data against schema/users.schema.json and returns each violation at its YAML
 * node, worded for a person. `root` is the document's root node, `data` its plain value.
 */
export function schemaProblems(data: unknown, root: Node): SchemaProblem[] {
  if (validateManifestSchema(data)) return [];
  const problems: SchemaProblem[] = [];
  for (const error of validateManifestSchema.errors ?? []) {
    // An if/then failure repeats the failure inside "then", which is reported on its own.
    if (error.keyword === "if") continue;
    const path = pointerPath(error.instancePath);
    const located = locate(root, path);
    const keyword = error.keyword;
    let node: Node | null;
    if (keyword === "additionalProperties") {
      node = keyNode(located.node, String(error.params.additionalProperty)) ?? located.node;
    } else if (keyword === "required") {
      node = located.node;
    } else {
      node = valueOrKey(located);
    }
    const context: Context = { error, node: located.node, found: describe(located.node), path };
    const place = path.map((segment) => (typeof segment === "number" ? "*" : segment)).join("/");
    const message =
      SCHEMA_MESSAGES[place]?.(context) ??
      `${pathWords(path)} ${error.message ?? `fails the schema's ${keyword} rule`}`;
    problems.push({ node: node ?? nearestNode(root, path), message, path });
  }
  return problems;
}

/** How a YAML value reads in a message: "the text \"x\"", "the number 42", "a list", "nothing". */
export function describe(node: unknown): string {
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

/** The mapping at `path`, as a message names it: "the manifest", "a user", "guards". */
export function mappingName(path: readonly (string | number)[]): string {
  if (path.length === 0) return "the manifest";
  if (path.length === 2 && path[0] === "users") return "a user";
  if (path.length === 1 && path[0] === "guards") return "guards";
  if (path.length === 1 && path[0] === "policy") return "policy";
  if (path.length === 2 && path[0] === "protect") return "a protect entry";
  return pathWords(path);
}

/** Finds the node at a data path, with its key when it is a mapping's value. */
export function locate(root: Node, path: readonly (string | number)[]): Located {
  let located: Located = { node: root };
  for (const segment of path) {
    const parent = located.node;
    if (isMap(parent)) {
      const pair = (parent.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && p.key.value === segment);
      if (!pair) return { node: null };
      located = { node: pair.value ?? null, key: pair.key };
    } else if (isSeq(parent) && typeof segment === "number") {
      located = { node: (parent.items[segment] as Node | null | undefined) ?? null };
    } else {
      return { node: null };
    }
  }
  return located;
}

function unknownKey(c: Context): string {
  const name = String(c.error.params.additionalProperty);
  const allowed = Object.keys((c.error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
  return `unknown key ${JSON.stringify(name)} in ${mappingName(c.path)}: the keys allowed are ${allowed.join(", ")}`;
}

/** The closest node on the way to `path`, for a value that has no node of its own (an empty list item). */
function nearestNode(root: Node, path: readonly (string | number)[]): Node {
  for (let depth = path.length - 1; depth > 0; depth -= 1) {
    const node = valueOrKey(locate(root, path.slice(0, depth)));
    if (node) return node;
  }
  return root;
}

function keyNode(map: Node | null, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const pair = (map.items as Pair<Node, Node | null>[]).find((p) => isScalar(p.key) && p.key.value === key);
  return pair?.key;
}

/** An empty value has no place of its own in the text: point at its key instead. */
function valueOrKey(located: Located): Node | null {
  const { node, key } = located;
  const empty = node === null || (isScalar(node) && node.value === null);
  return empty && key ? key : node;
}

function pointerPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .split("/")
    .slice(1)
    .map((segment) => (/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : decodePointer(segment)));
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** A data path in words, for the rare schema error without a message of its own: "users[3].email". */
function pathWords(path: readonly (string | number)[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("") || "the manifest";
}
