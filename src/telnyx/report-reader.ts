// The groups report read as it arrives: `{"data": [ user, user, ... ]}` of 100,000 users is 30 MB of text. Held
// whole, that text, the bytes it came in and the objects parsed from it were at once the largest part of a plan's
// memory. This reader keeps only the users parsed so far and the text of the users not yet whole: each run of
// whole users is parsed as soon as it has arrived, while the rest is still on its way.
//
// What it gives is what JSON.parse of the whole text would give, or a refusal: every user's text is parsed by
// JSON.parse, and so is the envelope around the list (with the list left out). A body of any other shape (another
// key before "data", or "data" not a list) is gathered whole and parsed whole at the end, as before.
//
// Where a run of whole users ends is first guessed from the braces alone (a brace inside a string can mislead it),
// then proved by JSON.parse of the run: text that starts where a user starts and parses as a list of values ends
// where one ends, since JSON is read the same way whatever follows. A guess that does not parse is dropped for a
// scan that knows strings, which also finds the end of the list.

/** What the reader found at the end: the body's data list, or the whole body when it was not of the usual shape. */
export type ReportBody = { data: unknown[] } | { whole: unknown };

/** Users gathered before a run of them is parsed: one JSON.parse call costs more than a few users. */
const BATCH_CHARS = 256 * 1024;

const OPEN = /^\s*\{\s*"data"\s*:\s*\[/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Reads a report body given in pieces of text (already decoded from UTF-8), then `end()` gives what it holds. */
export class ReportReader {
  #state: "start" | "list" | "after" | "whole" = "start";
  /** Before the list (or the whole body, when it is not of the usual shape); after it, what follows it. */
  #text = "";
  /** Inside the list: the pieces of text not parsed yet, which start where a user starts, and their length. */
  #pending: string[] = [];
  #pendingChars = 0;
  /** Whether the list has a comma so far: then no run of users may be empty ([1,] and [,1] are not JSON). */
  #comma = false;
  readonly #users: unknown[] = [];
  /** How much text is gathered before the whole users in it are parsed. */
  readonly #batchChars: number;
  /** Pending text that is read next: twice as much after a read that found no whole user (one huge user). */
  #readAt: number;

  constructor(options: { batchChars?: number } = {}) {
    this.#batchChars = options.batchChars ?? BATCH_CHARS;
    this.#readAt = this.#batchChars;
  }

  write(piece: string): void {
    if (this.#state === "list") {
      this.#pending.push(piece);
      this.#pendingChars += piece.length;
      if (this.#pendingChars >= this.#readAt) this.#read(this.#takePending(), false);
      return;
    }
    this.#text += piece;
    if (this.#state !== "start") return;
    // The opening is short: wait for enough text to know it, then read the list, or gather the body whole.
    const opened = OPEN.exec(this.#text);
    if (opened) {
      const rest = this.#text.slice(opened[0].length);
      this.#text = "";
      this.#state = "list";
      this.write(rest);
    } else if (this.#text.length >= 64 || /[^\s{"dat:]/.test(this.#text)) {
      this.#state = "whole";
    }
  }

  /** What the body held, as JSON.parse of the whole would give it; a SyntaxError when it is not JSON. */
  end(): ReportBody {
    if (this.#state === "list") this.#read(this.#takePending(), true);
    if (this.#state === "start" || this.#state === "whole") return { whole: JSON.parse(this.#text) };
    // The envelope, with a mark for its list: a second "data" would replace the mark, as JSON.parse keeps the
    // last of a repeated key, and this reader kept the first. Refused, then.
    const envelope = JSON.parse(`{"data":0${this.#text}`) as { data?: unknown };
    if (envelope.data !== 0) throw new SyntaxError('the body gives "data" more than once');
    return { data: this.#users };
  }

  #takePending(): string {
    const text = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join("");
    this.#pending = [];
    this.#pendingChars = 0;
    return text;
  }

  /**
   * Parses the whole users at the start of `text` (which starts where a user starts) and keeps the rest pending.
   * `last`: no more text comes, so the list must end in it.
   */
  #read(text: string, last: boolean): void {
    // The list ends in the last text, usually at its last "]": text that parses as a list of values up to a "]"
    // ends there, as no earlier "]" can close the list without leaving the rest unparsable.
    const end = last ? text.lastIndexOf("]") : -1;
    if (end > 0 && this.#parse(text.slice(0, end), false)) {
      this.#after(text.slice(end + 1));
      return;
    }
    const guess = last ? -1 : lastCommaByBraces(text);
    if (guess > 0 && this.#parse(text.slice(0, guess), false)) {
      this.#comma = true;
      this.#keep(text.slice(guess + 1));
      return;
    }
    const { comma, close } = scanList(text);
    if (close >= 0) {
      // The end of the list: before it, the last users.
      const run = text.slice(0, close);
      if (run.trim() !== "" || this.#comma || comma >= 0) this.#parse(run, true);
      this.#after(text.slice(close + 1));
      return;
    }
    if (last) throw new SyntaxError("the body ends inside its data list");
    if (comma >= 0) {
      this.#parse(text.slice(0, comma), true);
      this.#comma = true;
      text = text.slice(comma + 1);
    }
    this.#keep(text);
  }

  /** The list has ended: `text` is what follows it. */
  #after(text: string): void {
    this.#text = text;
    this.#state = "after";
  }

  #keep(text: string): void {
    this.#pending = [text];
    this.#pendingChars = text.length;
    this.#readAt = Math.max(this.#batchChars, 2 * text.length);
  }

  /**
   * Parses a run of users written between commas (never empty, or the list was not JSON) and keeps them. `sure`: the
   * run is known to end where a user ends, so text that does not parse is not JSON (else the guess was wrong: false).
   */
  #parse(run: string, sure: boolean): boolean {
    let users: unknown[];
    try {
      if (run.trim() === "") throw new SyntaxError("the data list has an empty item");
      users = JSON.parse(`[${run}]`) as unknown[];
    } catch (error) {
      if (sure) throw error;
      return false;
    }
    for (const user of users) this.#users.push(user);
    return true;
  }
}

/**
 * Where the last comma between two users in `text` is, judged by its braces alone: the last "}" that closes a
 * user, followed by a comma; -1 when none is found or the braces say the list ends. Only a guess (a brace inside a
 * string misleads it), proved by parsing.
 */
function lastCommaByBraces(text: string): number {
  let depth = 0;
  let found = -1;
  let open = text.indexOf("{");
  let close = text.indexOf("}");
  while (close >= 0) {
    if (open >= 0 && open < close) {
      depth += 1;
      open = text.indexOf("{", open + 1);
      continue;
    }
    depth -= 1;
    if (depth < 0) return -1;
    if (depth === 0) {
      let after = close + 1;
      while (after < text.length && /\s/.test(text[after]!)) after += 1;
      if (text.charCodeAt(after) === COMMA) found = after;
      else if (text.charCodeAt(after) === CLOSE_BRACKET) return -1;
    }
    close = text.indexOf("}", close + 1);
  }
  return found;
}

/**
 * A scan of list text that starts where a user starts, knowing strings: where its last comma between two users is,
 * and where the list ends (its "]"), each -1 when not in `text`.
 */
function scanList(text: string): { comma: number; close: number } {
  let depth = 0;
  let comma = -1;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) break;
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
    else if (depth > 0 && (c === CLOSE_BRACE || c === CLOSE_BRACKET)) depth -= 1;
    else if (depth === 0 && c === COMMA) comma = i;
    else if (depth === 0 && c === CLOSE_BRACKET) return { comma, close: i };
  }
  return { comma, close: -1 };
}

/** Where the string opened by the quote at `open` ends (its closing quote), or -1 when `text` ends first. */
function stringEnd(text: string, open: number): number {
  for (let at = open + 1; at < text.length; ) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
  return -1;
}

/**
 * A ReportReader as the transport takes a body reader: `end` gives `{ data }` (the rest of the envelope is checked,
 * not kept), or a body of another shape as JSON.parse gives it.
 */
export function reportBodyReader(): { write(text: string): void; end(): unknown } {
  const reader = new ReportReader();
  return {
    write: (text) => reader.write(text),
    end: () => {
      const body = reader.end();
      return "whole" in body ? body.whole : { data: body.data };
    },
  };
}
