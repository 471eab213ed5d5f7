// The one rule for keeping keys out of what roster prints and writes: every run of MIN_FRAGMENT or more
// consecutive characters of a secret (TELNYX_API_KEY, a managed account's key) becomes "[redacted]". A piece
// of a key is replaced as the whole key is, so a message cut short inside a key (clip) leaks no more of it
// than MIN_FRAGMENT - 1 characters, whether the cut came before the redaction or after.

/** What a secret's run is replaced with. */
export const REDACTED = "[redacted]";
/**
 * The shortest run of a secret's characters that is replaced: shorter runs are too common in ordinary text to be a key.
 */
export const MIN_FRAGMENT = 8;
/** Shorter values are not keys, and replacing them would garble the output; 4 to 7 characters are replaced whole. */
export const MIN_SECRET_LENGTH = 4;

/** A Telnyx V2 key as the API issues them: "KEY", hex, an underscore and base64url text. */
const KEY_SHAPED = /KEY[0-9A-Za-z]{16,}_[0-9A-Za-z_-]+/g;

// The scan looks up pairs of characters of the text at every 7th position: any run of 8 characters holds one of
// them, so no run is missed. Only where a pair is in a secret are the 4-character windows around it looked up, and
// a window found in a secret is grown both ways to the whole run it belongs to.
const GRAM = 4;
const PAIR_STEP = MIN_FRAGMENT - 1;
/** Past this many distinct pairs in the secrets (a few keys hold about 60 each), the windows are looked up alone. */
const MAX_PAIRS = 1024;

/** Redacts runs of a fixed set of secrets; built once for the set (see `redactorFor`), used for every text. */
export class Redactor {
  readonly #long: string[];
  readonly #short: string[];
  /**
   * Where each 4-character window of a long secret occurs, in a table of numbers (no strings are made): for each
   * window hash's slot, the first of its windows; for each window, the next in its slot, its secret and position.
   */
  readonly #heads: Int32Array;
  readonly #headMask: number;
  readonly #next: Int32Array;
  readonly #secretOf: Int32Array;
  readonly #positionOf: Int32Array;
  /** A bit per window hash: most windows of a text are ruled out at once. */
  readonly #bits: Uint32Array;
  readonly #mask: number;
  /** A bit per pair of characters (their low bytes) found in a long secret. */
  readonly #pairs = new Uint32Array(65536 / 32);
  /** Whether the pairs rule out most of a text: not once a run's many keys hold most pairs of letters and digits. */
  readonly #byPairs: boolean;
  /** The length of the longest secret: what `redactPart` holds back. */
  readonly #longest: number;

  constructor(secrets: Iterable<string | undefined>) {
    const distinct = [
      ...new Set([...secrets].filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH)),
    ];
    this.#long = distinct.filter((s) => s.length >= MIN_FRAGMENT);
    // Longest first, so that a secret holding another one is replaced whole.
    this.#short = distinct.filter((s) => s.length < MIN_FRAGMENT).sort((a, b) => b.length - a.length);
    const windows = this.#long.reduce((n, s) => n + s.length - GRAM + 1, 0);
    let size = 1 << 12;
    while (size < windows * 256 && size < 1 << 23) size <<= 1;
    this.#bits = new Uint32Array(size >>> 5);
    this.#mask = size - 1;
    let slots = 16;
    while (slots < windows * 2) slots <<= 1;
    this.#heads = new Int32Array(slots).fill(-1);
    this.#headMask = slots - 1;
    this.#next = new Int32Array(windows);
    this.#secretOf = new Int32Array(windows);
    this.#positionOf = new Int32Array(windows);
    let window = 0;
    let pairsSet = 0;
    this.#long.forEach((secret, index) => {
      for (let p = 0; p + GRAM <= secret.length; p += 1, window += 1) {
        const full = hash(secret, p);
        const slot = full & this.#headMask;
        this.#next[window] = this.#heads[slot]!;
        this.#heads[slot] = window;
        this.#secretOf[window] = index;
        this.#positionOf[window] = p;
        const h = full & this.#mask;
        this.#bits[h >>> 5]! |= 1 << (h & 31);
      }
      for (let p = 0; p + 1 < secret.length; p += 1) {
        const pair = ((secret.charCodeAt(p) & 0xff) << 8) | (secret.charCodeAt(p + 1) & 0xff);
        if ((this.#pairs[pair >>> 5]! & (1 << (pair & 31))) === 0) pairsSet += 1;
        this.#pairs[pair >>> 5]! |= 1 << (pair & 31);
      }
    });
    this.#byPairs = pairsSet <= MAX_PAIRS;
    this.#longest = distinct.reduce((longest, secret) => Math.max(longest, secret.length), 0);
  }

  /** Whether there is anything to redact at all. */
  get empty(): boolean {
    return this.#long.length === 0 && this.#short.length === 0;
  }

  /** `text` with every run of MIN_FRAGMENT or more characters of a secret, and every short secret, as "[redacted]". */
  redact(text: string): string {
    let clean = this.#long.length > 0 ? this.#redactRuns(text, this.#runs(text)) : text;
    for (const secret of this.#short) if (clean.includes(secret)) clean = clean.split(secret).join(REDACTED);
    return clean;
  }

  /**
   * A text written in pieces (see `writePieces`), redacted as if it were written whole: `text` is what came
   * since the last call; `done` is the redacted text that can be written now, and `held` the raw end of `text`
   * that a run of a secret could still continue into what comes next, to be given again in front of it.
   */
  redactPart(text: string): { done: string; held: string } {
    // A run (or a short secret) that starts before `cut` and does not reach it is whole: no piece can add to it.
    // One that reaches it is held back whole, with everything after it.
    let cut = text.length - this.#longest;
    if (cut <= 0) return { done: "", held: text };
    const runs = this.#long.length > 0 ? this.#runs(text) : [];
    const found = [...runs];
    for (const secret of this.#short)
      for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1))
        found.push([at, at + secret.length]);
    for (let moved = true; moved; ) {
      moved = false;
      for (const [start, end] of found)
        if (start < cut && end > cut) {
          cut = start;
          moved = true;
        }
    }
    let done = this.#redactRuns(
      text.slice(0, cut),
      runs.filter(([, end]) => end <= cut),
    );
    for (const secret of this.#short) if (done.includes(secret)) done = done.split(secret).join(REDACTED);
    return { done, held: text.slice(cut) };
  }

  /** Where runs of MIN_FRAGMENT or more characters of a long secret are in `text`, each as [start, end). */
  #runs(text: string): [number, number][] {
    const runs: [number, number][] = [];
    const n = text.length;
    if (!this.#byPairs) {
      // The windows at every 5th position: any run of 8 holds one whole. Most are ruled out by their bit, in
      // windowHits; the few left are looked up here, up to a buffer of them at a time.
      const hits = WINDOW_HITS;
      for (let a = 0; a + GRAM <= n; ) {
        const count = windowHits(text, a, n - GRAM, this.#bits, this.#mask, hits);
        for (let i = 0; i < count; i += 1) this.#windowRuns(text, hits[i]!, runs);
        a = count === hits.length ? hits[count - 1]! + WINDOW_STEP : n;
      }
      return runs;
    }
    // Every 7th pair of characters is looked up first (any run of 8 holds one): most are in no secret. A run
    // holding the pair at b holds a whole window starting at b - 2, b - 1 or b, which are looked up then.
    let checked = -1;
    for (let b = 0; b + 1 < n; b += PAIR_STEP) {
      const pair = ((text.charCodeAt(b) & 0xff) << 8) | (text.charCodeAt(b + 1) & 0xff);
      if ((this.#pairs[pair >>> 5]! & (1 << (pair & 31))) === 0) continue;
      for (let a = Math.max(0, b - 2, checked + 1); a <= b && a + GRAM <= n; a += 1) {
        checked = a;
        this.#windowRuns(text, a, runs);
      }
    }
    return runs;
  }

  /** The runs through the window of GRAM characters at `a`, when it is in a secret: grown both ways, added to `runs`. */
  #windowRuns(text: string, a: number, runs: [number, number][]): void {
    const n = text.length;
    const full = hash(text, a);
    const h = full & this.#mask;
    if ((this.#bits[h >>> 5]! & (1 << (h & 31))) === 0) return;
    for (let w = this.#heads[full & this.#headMask]!; w !== -1; w = this.#next[w]!) {
      const secret = this.#long[this.#secretOf[w]!]!;
      const p = this.#positionOf[w]!;
      if (!sameWindow(text, a, secret, p)) continue;
      let start = a;
      for (let q = p; start > 0 && q > 0 && text.charCodeAt(start - 1) === secret.charCodeAt(q - 1); q -= 1) start -= 1;
      let end = a + GRAM;
      for (let q = p + GRAM; end < n && q < secret.length && text.charCodeAt(end) === secret.charCodeAt(q); q += 1)
        end += 1;
      if (end - start >= MIN_FRAGMENT) runs.push([start, end]);
    }
  }

  /** `text` with `runs` (found in it by #runs) replaced. */
  #redactRuns(text: string, runs: [number, number][]): string {
    if (runs.length === 0) return text;
    runs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    // Overlapping runs are one; runs that only touch (a key printed twice in a row) stay two.
    let out = "";
    let from = 0;
    let [start, end] = runs[0]!;
    for (const [s, e] of runs.slice(1)) {
      if (s < end) end = Math.max(end, e);
      else {
        out += text.slice(from, start) + REDACTED;
        from = end;
        [start, end] = [s, e];
      }
    }
    return out + text.slice(from, start) + REDACTED + text.slice(end);
  }
}

/** The step between the windows looked at: any run of MIN_FRAGMENT characters holds a whole window at one of them. */
const WINDOW_STEP = MIN_FRAGMENT - GRAM + 1;

/** Where windowHits puts the windows it lets through: #runs, which reads them, is never re-entered. */
const WINDOW_HITS = new Int32Array(1024);

/**
 * The windows at `from`, `from` + WINDOW_STEP, … up to `last` whose bit is set, put in `hits` (until it is full); how
 * many. Apart from the lookups so that this loop, which runs over every output, is small: V8 compiles it in a few
 * milliseconds, where the loop with the lookups inlined took 36 ms to compile, run slowly all the while.
 */
function windowHits(
  text: string,
  from: number,
  last: number,
  bits: Uint32Array,
  mask: number,
  hits: Int32Array,
): number {
  let count = 0;
  for (let a = from; a <= last; a += WINDOW_STEP) {
    const h = hash(text, a) & mask;
    if ((bits[h >>> 5]! & (1 << (h & 31))) !== 0) {
      hits[count] = a;
      count += 1;
      if (count === hits.length) break;
    }
  }
  return count;
}

/** Whether the 4 characters of `text` at `a` are those of `secret` at `p`. */
function sameWindow(text: string, a: number, secret: string, p: number): boolean {
  for (let i = 0; i < GRAM; i += 1) if (text.charCodeAt(a + i) !== secret.charCodeAt(p + i)) return false;
  return true;
}

/**
 * A hash of the 4 characters of `text` at `at`: their low bytes as one number, multiplied once. Two windows of the
 * same characters hash the same, which is all the lookups need: what a hash lets through is compared in full.
 */
function hash(text: string, at: number): number {
  const bytes =
    (text.charCodeAt(at) & 0xff) |
    ((text.charCodeAt(at + 1) & 0xff) << 8) |
    ((text.charCodeAt(at + 2) & 0xff) << 16) |
    (text.charCodeAt(at + 3) << 24);
  const h = Math.imul(bytes, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/** The last few redactors built, by their secrets: a run redacts with the same few sets again and again. */
const recent = new Map<string, Redactor>();
const RECENT = 8;

/** The redactor of `secrets`, built once for each set in use. */
export function redactorFor(secrets: readonly (string | undefined)[]): Redactor {
  const id = secrets.join("\u0000");
  let redactor = recent.get(id);
  if (redactor) {
    recent.delete(id);
  } else {
    redactor = new Redactor(secrets);
    if (recent.size >= RECENT) recent.delete(recent.keys().next().value!);
  }
  recent.set(id, redactor);
  return redactor;
}

/** `text` with every run of MIN_FRAGMENT or more characters of any of `secrets` replaced by "[redacted]". */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  return redactorFor(secrets).redact(text);
}

/**
 * Text from an API answer (an error's title and detail, a value quoted in a message) made safe to keep:
 * redacted of `secrets`, and of anything shaped like a Telnyx V2 key. Call it before any cut (clip).
 */
export function redactApiText(text: string, secrets: readonly (string | undefined)[]): string {
  return redactSecrets(text, secrets).replace(KEY_SHAPED, REDACTED);
}
