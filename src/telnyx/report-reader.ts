// The groups report read as it arrives: `{"data": [ user, user, ... ]}` of 100,000 users is 30 MB of text. Held
// whole, that text, the bytes it came in and the objects parsed from it were at once the largest part of a plan's
// memory. This reader keeps only the users parsed so far and the text of the users not yet whole: each run of
// whole users is parsed as soon as it has arrived, while the rest is still on its way.
//
// What it gives is what JSON.parse of the whole text would give, or a refusal: every user's text is parsed by
// JSON.parse, and so is the envelope around the list (with the list left out). A body of any other shape (another
// key before "data", or "data" not a list) is gathered whole and parsed whole at the end, as before.

/** What the reader found at the end: the body's data list, or the whole body when it was not of the usual shape. */
export type ReportBody = { data: unknown[] } | { whole: unknown };

/** Users gathered before a run of them is parsed: one JSON.parse call costs more than a few users. */
const BATCH_CHARS = 256 * 1024;

const OPEN = /^\s*\{\s*"data"\s*:\s*\[/;

const QUOTE = 0x22;
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
  /** Inside the list: the pieces of text of the users not parsed yet, and how many characters they hold. */
  #pending: string[] = [];
  #pendingChars = 0;
  /** Where the scan is: how deep in a user, whether in a string, and whether a backslash escapes what comes next. */
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Whether the list has a comma so far: then no run of users may be empty ([1,] and [,1] are not JSON). */
  #comma = false;
  readonly #users: unknown[] = [];
  /** How much text of whole users is gathered before they are parsed. */
  readonly #batchChars: number;

  constructor(options: { batchChars?: number } = {}) {
    this.#batchChars = options.batchChars ?? BATCH_CHARS;
  }

  write(piece: string): void {
    if (this.#state === "list") {
      this.#scan(piece);
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
      this.#scan(rest);
    } else if (this.#text.length >= 64 || /[^\s{"dat:]/.test(this.#text)) {
      this.#state = "whole";
    }
  }

  /** What the body held, as JSON.parse of the whole would give it; a SyntaxError when it is not JSON. */
  end(): ReportBody {
    if (this.#state === "start" || this.#state === "whole") return { whole: JSON.parse(this.#text) };
    if (this.#state === "list") throw new SyntaxError("the body ends inside its data list");
    // The envelope, with a mark for its list: a second "data" would replace the mark, as JSON.parse keeps the
    // last of a repeated key, and this reader kept the first. Refused, then.
    const envelope = JSON.parse(`{"data":0${this.#text}`) as { data?: unknown };
    if (envelope.data !== 0) throw new SyntaxError('the body gives "data" more than once');
    return { data: this.#users };
  }

  /** Scans one piece of the list, noting where whole users end; parses them once enough have come, or at its end. */
  #scan(piece: string): void {
    let depth = this.#depth;
    let inString = this.#inString;
    let escaped = this.#escaped;
    /** Just after the last comma between two users in this piece, or -1. */
    let wholeEnd = -1;
    // Where the next backslash is, looked for again only once passed: most texts hold none.
    let backslash = piece.indexOf("\\");
    if (backslash < 0) backslash = piece.length;
    let i = 0;
    while (i < piece.length) {
      if (inString) {
        // Most of the text is in strings: jump to the quote that ends this one, past any escaped character.
        if (escaped) {
          escaped = false;
          i += 1;
          continue;
        }
        if (backslash < i) {
          backslash = piece.indexOf("\\", i);
          if (backslash < 0) backslash = piece.length;
        }
        const quote = piece.indexOf('"', i);
        if (backslash < piece.length && (quote < 0 || backslash < quote)) {
          escaped = true;
          i = backslash + 1;
        } else if (quote >= 0) {
          inString = false;
          i = quote + 1;
        } else i = piece.length;
        continue;
      }
      const c = piece.charCodeAt(i);
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
      else if (depth > 0 && (c === CLOSE_BRACE || c === CLOSE_BRACKET)) depth -= 1;
      else if (depth === 0 && c === COMMA) {
        wholeEnd = i + 1;
        this.#comma = true;
      } else if (depth === 0 && c === CLOSE_BRACKET) {
        // The end of the list: before it, the last users.
        const last = this.#take(piece, i);
        if (last.trim() !== "" || this.#comma) this.#parse(last);
        this.#text = piece.slice(i + 1);
        this.#state = "after";
        return;
      }
      i += 1;
    }
    this.#depth = depth;
    this.#inString = inString;
    this.#escaped = escaped;
    if (wholeEnd >= 0 && this.#pendingChars + wholeEnd >= this.#batchChars) {
      // The users before the last comma, without it; the text after it waits for the rest of its user.
      this.#parse(this.#take(piece, wholeEnd - 1));
      piece = piece.slice(wholeEnd);
    }
    this.#pending.push(piece);
    this.#pendingChars += piece.length;
  }

  /** The pending text and `piece` up to `end`, as one text; nothing is pending after. */
  #take(piece: string, end: number): string {
    this.#pending.push(piece.slice(0, end));
    const run = this.#pending.join("");
    this.#pending = [];
    this.#pendingChars = 0;
    return run;
  }

  /** Parses a run of users written between commas: never empty, or the list was not JSON. */
  #parse(run: string): void {
    if (run.trim() === "") throw new SyntaxError("the data list has an empty item");
    const users = JSON.parse(`[${run}]`) as unknown[];
    for (const user of users) this.#users.push(user);
  }
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
