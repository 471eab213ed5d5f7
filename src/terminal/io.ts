import type { Readable, Writable } from "node:stream";
import { jsonPieces } from "../core/json-pieces.js";
import { MIN_SECRET_LENGTH, Redactor } from "../core/redact.js";
import { escapeInvisibleInJson } from "../core/safe-text.js";
import type { OutputWatch } from "./output-watch.js";

/** The terminal and environment a command runs in; the only way commands reach the outside. */
export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Records writes to stdout and stderr that fail; absent where output goes to memory (tests of views). */
  output?: OutputWatch;
  /** Ends the process at once (a second Ctrl-C); process.exit unless the caller gives another. */
  exit?: (code: number) => void;
}

/** Ends the process at once with `code`, through the Io's own exit when it has one. */
export function exitNow(io: Io, code: number): void {
  if (io.exit) io.exit(code);
  else process.exit(code);
}

/** The ink preview is for a person at a terminal; CI logs and pipes get plain text without cursor codes. */
export function isInteractive(io: Io): boolean {
  return Boolean(io.stdout.isTTY) && !inCi(io.env);
}

/** The same test ink applies (is-in-ci), so roster and ink never disagree about the mode. */
export function inCi(env: NodeJS.ProcessEnv): boolean {
  const set = (key: string) => key in env && env[key] !== "0" && env[key] !== "false";
  return set("CI") || set("CONTINUOUS_INTEGRATION");
}

/** Whether a question can be asked and answered at the terminal. */
export function canPrompt(io: Io): boolean {
  return Boolean(io.stdin.isTTY) && isInteractive(io);
}

/**
 * Writes text with every key, and every run of 8 or more of its characters, redacted: a last line of defence, not the
 * first.
 */
export function write(stream: Writable, text: string, env: NodeJS.ProcessEnv): void {
  stream.write(redact(text, env));
}

/** About how much text `writePieces` gathers before it writes. */
const CHUNK = 64 * 1024;

/**
 * Writes the text `produce` emits in pieces exactly as `write` would write it joined, without ever joining it:
 * in chunks of about `chunk` characters, each redacted as the whole would be (a run of a key that spans two
 * chunks is redacted too). `escape`, applied to each chunk first, must work character by character.
 */
export function writePieces(
  stream: Writable,
  produce: (emit: (piece: string) => void) => void,
  env: NodeJS.ProcessEnv,
  options: { chunk?: number; escape?: (text: string) => string } = {},
): void {
  const { redactor } = current(env);
  const chunk = options.chunk ?? CHUNK;
  const escaped = options.escape ?? ((text: string) => text);
  let buffer = "";
  produce((piece) => {
    buffer += piece;
    if (buffer.length < chunk) return;
    if (redactor.empty) {
      stream.write(escaped(buffer));
      buffer = "";
      return;
    }
    // What is held back was escaped already; escaping it again changes nothing.
    const { done, held } = redactor.redactPart(escaped(buffer));
    if (done !== "") stream.write(done);
    buffer = held;
  });
  if (buffer !== "") stream.write(redact(escaped(buffer), env));
}

/**
 * Writes a JSON document as `--format json` does (jsonText's text of `value`, indented by 2, and a newline) piece by
 * piece: a plan of 100,000 users is tens of megabytes of JSON, never held as one string.
 */
export function writeJson(stream: Writable, value: unknown, env: NodeJS.ProcessEnv): void {
  const produce = (emit: (piece: string) => void) => {
    jsonPieces(value, 2, emit);
    emit("\n");
  };
  writePieces(stream, produce, env, { escape: escapeInvisibleInJson });
}

/**
 * Secrets learnt during the run (each managed account's API key, once fetched) that `redact` replaces as it
 * does TELNYX_API_KEY. Held by the process, not by an Io: every writer of the run redacts them, whichever
 * Io it was given.
 */
const secrets = new Set<string>();
/** The secrets of the run as last asked for, with the environment's key first: kept while neither changes. */
let known: { key: string | undefined; list: readonly string[]; redactor: Redactor } | undefined;

/** Registers a secret for `redact` (and so `write`, the audit log, the job summary) to replace from now on. */
export function addSecret(secret: string): void {
  if (secret.length >= MIN_SECRET_LENGTH && !secrets.has(secret)) {
    secrets.add(secret);
    known = undefined;
  }
}

/** Forgets every secret `addSecret` registered: for a process that runs roster more than once (tests). */
export function clearSecrets(): void {
  secrets.clear();
  known = undefined;
}

/** TELNYX_API_KEY and every secret registered so far: for the client, to redact API answers as they come in. */
export function knownSecrets(env: NodeJS.ProcessEnv): readonly string[] {
  return current(env).list;
}

/**
 * Makes the redactor of the secrets registered so far, ahead of the writing that will need it: across 1,000 managed
 * accounts, it takes milliseconds better spent while requests are on their way.
 */
export function prepareRedaction(env: NodeJS.ProcessEnv): void {
  current(env);
}

/**
 * `text` with TELNYX_API_KEY and every registered secret, and every run of 8 or more of their characters, as
 * [redacted].
 */
export function redact(text: string, env: NodeJS.ProcessEnv): string {
  const { redactor } = current(env);
  return redactor.empty ? text : redactor.redact(text);
}

function current(env: NodeJS.ProcessEnv): NonNullable<typeof known> {
  const key = env.TELNYX_API_KEY;
  if (!known || known.key !== key) {
    const list = [...(key ? [key] : []), ...secrets];
    known = { key, list, redactor: new Redactor(list) };
  }
  return known;
}
