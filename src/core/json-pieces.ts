/**
 * The text of `JSON.stringify(value, null, indent)`, handed to `emit` in pieces: each element of an array and
 * each member of an object (down to `depth` levels) is stringified on its own, so a document of 100,000 users
 * is written piece by piece instead of as one string of tens of megabytes. Joined, the pieces are exactly
 * JSON.stringify's text (a property test holds that): members whose value JSON leaves out (undefined, a
 * function) are left out, an array's are written null, and `toJSON` is asked as JSON.stringify asks it.
 * Newlines in JSON text are only ever its own (a string's are escaped), so a piece is indented by prefixing
 * its lines.
 */
export function jsonPieces(value: unknown, indent: number, emit: (piece: string) => void, depth = 2): void {
  pieces(toJsonValue(value, ""), "", " ".repeat(indent), depth, "", emit);
}

/** Emits `json` (a value toJSON was already asked for) after `before`, written at indentation `at`. */
function pieces(json: unknown, at: string, step: string, depth: number, before: string, emit: (p: string) => void) {
  if (depth === 0 || step === "" || typeof json !== "object" || json === null) {
    emit(before + indented(JSON.stringify(json, null, step) ?? "null", at));
    return;
  }
  const inner = at + step;
  if (Array.isArray(json)) {
    if (json.length === 0) return emit(`${before}[]`);
    if (depth === 1) return leafItems(json, at, step, before, emit);
    let next = `${before}[\n${inner}`;
    for (let i = 0; i < json.length; i += 1) {
      const item = toJsonValue(json[i], String(i));
      pieces(omitted(item) ? null : item, inner, step, depth - 1, next, emit);
      next = `,\n${inner}`;
    }
    return emit(`\n${at}]`);
  }
  let next = `${before}{\n${inner}`;
  let empty = true;
  for (const name of Object.keys(json)) {
    const member = toJsonValue((json as Record<string, unknown>)[name], name);
    if (omitted(member)) continue;
    pieces(member, inner, step, depth - 1, `${next}${JSON.stringify(name)}: `, emit);
    next = `,\n${inner}`;
    empty = false;
  }
  emit(empty ? `${before}{}` : `\n${at}}`);
}

/** How many items of a list are stringified together: one call of JSON.stringify costs more than its items. */
const BATCH = 256;

/**
 * The items of a list, each written whole, BATCH at a time: JSON.stringify of a slice of the list, without its
 * brackets, indented to its place. An item with a toJSON of its own is asked for it under its index in the whole
 * list, so a slice holding one is written item by item.
 */
function leafItems(list: unknown[], at: string, step: string, before: string, emit: (p: string) => void): void {
  const inner = at + step;
  for (let from = 0; from < list.length; from += BATCH) {
    const lead = from === 0 ? `${before}[\n` : ",\n";
    const slice = list.slice(from, from + BATCH);
    if (slice.some((item) => typeof (item as { toJSON?: unknown } | null)?.toJSON === "function")) {
      const texts = slice.map((item, i) => {
        const json = toJsonValue(item, String(from + i));
        return inner + indented(JSON.stringify(omitted(json) ? null : json, null, step), inner);
      });
      emit(lead + texts.join(",\n"));
      continue;
    }
    emit(lead + itemsText(slice, at, step));
  }
  emit(`\n${at}]`);
}

/**
 * The items of `slice` as JSON.stringify writes them in a list indented by `at` (some number of `step`s): the first
 * item's indentation, the items, the commas between them. The slice is stringified nested as deep as `at` says, so
 * that its lines come indented already, and the brackets around it are cut off.
 */
function itemsText(slice: unknown[], at: string, step: string): string {
  const levels = at.length / step.length;
  let nested: unknown = slice;
  for (let level = 0; level < levels; level += 1) nested = [nested];
  const text = JSON.stringify(nested, null, step);
  // Before the first item: "[\n" and the indentation of each level, the last being the items' own (kept).
  const opening = (levels + 1) * 2 + step.length * (((levels + 1) * (levels + 2)) / 2) - step.length * (levels + 1);
  // After the last: "\n", a level's indentation and "]", for each level out to the outermost.
  const closing = (levels + 1) * 2 + step.length * ((levels * (levels + 1)) / 2);
  return text.slice(opening, text.length - closing);
}

/** What JSON.stringify writes for `value` under `key`: its toJSON's answer, when it has one. */
function toJsonValue(value: unknown, key: string): unknown {
  const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
  return typeof toJSON === "function" ? toJSON.call(value, key) : value;
}

/** A value JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function indented(text: string, at: string): string {
  return at === "" || !text.includes("\n") ? text : text.replaceAll("\n", `\n${at}`);
}
