import * as assert from "uvu/assert";

// The official SDK's response types as tables the tests can check answers against at run time. Each table is
// typed from the SDK's own type: TypeScript refuses a table that misses a field of the type, names one it
// lacks, or calls a field required that the type has optional (or the reverse), so that upgrading the pinned
// SDK to a version whose types changed fails `tsc --noEmit` until the tables, and so the checks, follow.

/** Whether a value is of a field's type. */
export type Check = (value: unknown) => boolean;

/** One field of T: whether T requires it, and the check of its values. */
// biome-ignore lint/complexity/noBannedTypes: `{} extends Pick<T, K>` tells an optional key from a required one
type Field<T, K extends keyof T> = { required: {} extends Pick<T, K> ? false : true; check: Check };

/** Every field of T, and no other. */
export type Fields<T> = { [K in keyof Required<T>]-?: Field<T, K> };

export const isString: Check = (value) => typeof value === "string";
export const isBoolean: Check = (value) => typeof value === "boolean";
export const isNumber: Check = (value) => typeof value === "number" && Number.isFinite(value);
export const orNull =
  (check: Check): Check =>
  (value) =>
    value === null || check(value);
export const arrayOf =
  (check: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(check);
/** One of a union of strings: the record names every member of the union, so none is left out. */
export const oneOf =
  <T extends string>(members: Record<T, true>): Check =>
  (value) =>
    typeof value === "string" && Object.hasOwn(members, value);
/** An object of another table. */
export const objectOf =
  <T>(fields: Fields<T>): Check =>
  (value) =>
    problems(fields, value).length === 0;

/** What in `value` differs from the table: a field it does not know, one missing, one of the wrong type. */
export function problems<T>(fields: Fields<T>, value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["not an object"];
  const table = fields as Record<string, { required: boolean; check: Check }>;
  const found: string[] = [];
  for (const [name, field] of Object.entries(value)) {
    const known = table[name];
    if (!known) found.push(`${name}: not a field of the SDK's type`);
    // An optional field the API leaves out is absent, not undefined, in JSON; null only where the type says.
    else if (!known.check(field)) found.push(`${name}: ${JSON.stringify(field)} is not of the SDK's type`);
  }
  for (const [name, field] of Object.entries(table))
    if (field.required && !(name in value)) found.push(`${name}: required, missing`);
  return found;
}

/** Asserts that `value` has exactly the SDK's fields, each of the SDK's type. */
export function assertFields<T>(fields: Fields<T>, value: unknown, what: string): void {
  const found = problems(fields, value);
  assert.equal(found, [], `${what}: ${found.join("; ")}`);
}
