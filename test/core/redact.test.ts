import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { AuditLog, auditEntry } from "../../src/apply/audit-log.js";
import { reportError } from "../../src/cli/report-error.js";
import { MIN_FRAGMENT, redactApiText, redactSecrets } from "../../src/core/redact.js";
import { clip, jsonText } from "../../src/core/safe-text.js";
import { ApiError } from "../../src/telnyx/api-error.js";
import { errorFor } from "../../src/telnyx/parse-answers.js";
import type { ApiResponse } from "../../src/telnyx/transport.js";
import { addSecret, clearSecrets, knownSecrets, redact, writePieces, type Io } from "../../src/terminal/io.js";
import { withTempDir } from "../helpers/temp.js";

// The one rule that keeps keys out of what roster prints and writes: no run of 8 or more characters of a key
// survives, wherever the text is cut, before or after it is redacted.

const KEY = "KEY0A1B2C3D4E5F60718293A4B5C6D7E8F9_bWFuYWdlZC1rZXk";
const OTHER = "KEY0FFEE1234567890ABCDEF12345678_b3RoZXIta2V5LXRleHQ";

/** The first run of MIN_FRAGMENT characters of `key` found in `text`, or undefined. */
function fragmentIn(text: string, key: string): string | undefined {
  for (let i = 0; i + MIN_FRAGMENT <= key.length; i += 1) {
    const piece = key.slice(i, i + MIN_FRAGMENT);
    if (text.includes(piece)) return piece;
  }
  return undefined;
}

const cases = suite("redact: the table");

const TABLE: [string, string, string[], string][] = [
  ["the whole key", `bad key ${KEY}.`, [KEY], "bad key [redacted]."],
  [
    "the key cut after 8 characters (a clip inside it)",
    `detail ${KEY.slice(0, 8)}… (40 more characters)`,
    [KEY],
    "detail [redacted]… (40 more characters)",
  ],
  ["the key minus its last character", `x${KEY.slice(0, -1)}`, [KEY], "x[redacted]"],
  ["the middle of the key", `(${KEY.slice(10, 30)})`, [KEY], "([redacted])"],
  [
    "7 characters of the key are too few to be taken for it",
    `a ${KEY.slice(3, 10)} b`,
    [KEY],
    `a ${KEY.slice(3, 10)} b`,
  ],
  ["the key twice in a row stays two redactions", `${KEY}${KEY}`, [KEY], "[redacted][redacted]"],
  ["two keys side by side", `${KEY}${OTHER}`, [KEY, OTHER], "[redacted][redacted]"],
  [
    "a piece of one key running into a piece of the other",
    `${KEY.slice(0, 12)}${OTHER.slice(20)}`,
    [KEY, OTHER],
    "[redacted][redacted]",
  ],
  [
    "text around the key that happens to continue it is taken with it",
    `${KEY.slice(0, 20)}${KEY.slice(20, 21)}zz`,
    [KEY],
    "[redacted]zz",
  ],
  [
    "a key that holds another is replaced whole",
    "a KEY-short-one-and-longer b KEY-short-one c",
    ["KEY-short-one", "KEY-short-one-and-longer"],
    "a [redacted] b [redacted] c",
  ],
  [
    "a secret of 4 to 7 characters is replaced whole, never in part",
    "abcdefg abcdef",
    ["abcdefg"],
    "[redacted] abcdef",
  ],
  ["values shorter than 4 characters are not keys", "abc is not a key", ["abc"], "abc is not a key"],
  [
    "text without the key is unchanged",
    "GET /organizations/users answered 500: Internal error",
    [KEY],
    "GET /organizations/users answered 500: Internal error",
  ],
  ["no secrets, nothing to do", `keep ${KEY}`, [], `keep ${KEY}`],
];

for (const [name, text, secrets, expected] of TABLE) {
  cases(name, () => {
    assert.is(redactSecrets(text, secrets), expected);
  });
}

cases("API text also loses anything shaped like a Telnyx V2 key, known or not", () => {
  assert.is(redactApiText("saw KEY0123456789ABCDEF01_c29tZS1rZXk here", []), "saw [redacted] here");
});

cases.run();

// Random keys from a key's alphabet, in random API error texts, cut anywhere.
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".split("");
const keyArb = fc.string({ unit: fc.constantFrom(...KEY_ALPHABET), minLength: 16, maxLength: 80 });
/** An echo of the key as an API may send it: whole, or cut by the API itself, amid text of any length. */
const echoArb = fc.record({
  key: keyArb,
  before: fc.string({ maxLength: 1200 }),
  after: fc.string({ maxLength: 200 }),
  from: fc.nat(),
  length: fc.nat(),
  cut: fc.nat({ max: 1500 }),
});
const echoOf = ({
  key,
  before,
  after,
  from,
  length,
}: {
  key: string;
  before: string;
  after: string;
  from: number;
  length: number;
}) => {
  const start = from % key.length;
  return `${before}${key.slice(start, start + MIN_FRAGMENT + (length % key.length))}${after}`;
};

/** An answer of the API with `detail` as its first error's detail. */
function answer(status: number, detail: string): ApiResponse {
  return {
    status,
    headers: new Headers(),
    body: { errors: [{ code: "10000", title: "Bad thing", detail }] },
    isApiJson: true,
    attempts: 1,
    ambiguousEarlier: false,
  };
}

/** An Io whose stderr and stdout are kept in memory. */
function memoryIo(env: NodeJS.ProcessEnv): Io & { text(): string } {
  let text = "";
  const sink = () =>
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
  return { stdout: sink(), stderr: sink(), stdin: process.stdin, env, text: () => text };
}

const property = suite("redact: no 8-character run of a key survives any cut, on any path");
property.after.each(() => clearSecrets());

property("redactSecrets, then any cut, or any cut, then redactSecrets: no run of 8 of the key is left", () => {
  fc.assert(
    fc.property(echoArb, (echo) => {
      const text = echoOf(echo);
      for (const out of [
        clip(redactSecrets(text, [echo.key]), echo.cut),
        redactSecrets(clip(text, echo.cut), [echo.key]),
      ]) {
        const left = fragmentIn(out, echo.key);
        if (left !== undefined) throw new Error(`${JSON.stringify(left)} of the key is left in ${JSON.stringify(out)}`);
      }
    }),
    { numRuns: 300 },
  );
});

/** The rule written out the slow way: every character inside a common run of 8 or more with a secret is covered. */
function slowRedact(text: string, secrets: readonly string[]): string {
  const covered = new Array<boolean>(text.length).fill(false);
  const starts = new Set<number>();
  for (const secret of secrets) {
    for (let i = 0; i < text.length; i += 1) {
      for (let j = 0; j < secret.length; j += 1) {
        let n = 0;
        while (i + n < text.length && j + n < secret.length && text[i + n] === secret[j + n]) n += 1;
        if (n >= MIN_FRAGMENT && (i === 0 || j === 0 || text[i - 1] !== secret[j - 1])) {
          starts.add(i);
          for (let k = i; k < i + n; k += 1) covered[k] = true;
        }
      }
    }
  }
  // A maximal run that starts where another ends (a key printed twice) is a redaction of its own.
  let out = "";
  for (let i = 0; i < text.length; i += 1) {
    if (!covered[i]) out += text[i];
    else if (i === 0 || !covered[i - 1] || (starts.has(i) && !overlapsBefore(i))) out += "[redacted]";
  }
  return out;

  function overlapsBefore(i: number): boolean {
    // Whether some run covering i - 1 also covers i (then i continues that redaction).
    for (const secret of secrets) {
      for (let j = 0; j < secret.length; j += 1) {
        let back = 0;
        while (i - 1 - back >= 0 && j - 1 - back >= 0 && text[i - 1 - back] === secret[j - 1 - back]) back += 1;
        let ahead = 0;
        while (i + ahead < text.length && j + ahead < secret.length && text[i + ahead] === secret[j + ahead])
          ahead += 1;
        if (back >= 1 && ahead >= 1 && back + ahead >= MIN_FRAGMENT) return true;
      }
    }
    return false;
  }
}

/** A piece of a text to redact: any text, or a cut of one of `keys`. */
const pieceOf = (keys: string[]) =>
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.record({ k: fc.nat(), from: fc.nat(), length: fc.nat({ max: 40 }) }).map(({ k, from, length }) => {
      const key = keys[k % keys.length]!;
      const start = from % key.length;
      return key.slice(start, start + length);
    }),
  );

property(
  "the fast scan redacts exactly what the rule says, no more and no less, over texts made of pieces of keys",
  () => {
    fc.assert(
      fc.property(
        fc
          .array(keyArb, { minLength: 1, maxLength: 3 })
          .chain((keys) => fc.tuple(fc.constant(keys), fc.array(pieceOf(keys), { maxLength: 8 }))),
        ([keys, pieces]) => {
          const text = pieces.join("");
          assert.is(redactSecrets(text, keys), slowRedact(text, keys), JSON.stringify({ keys, text }));
        },
      ),
      { numRuns: 300 },
    );
  },
);

property(
  "a text written in pieces (writePieces) is redacted exactly as the same text written whole, short keys too",
  () => {
    const shortKeyArb = fc.string({ unit: fc.constantFrom(...KEY_ALPHABET), minLength: 4, maxLength: 7 });
    fc.assert(
      fc.property(
        fc
          .array(fc.oneof(keyArb, shortKeyArb), { minLength: 1, maxLength: 3 })
          .chain((keys) =>
            fc.tuple(fc.constant(keys), fc.array(pieceOf(keys), { maxLength: 12 }), fc.nat({ max: 30 })),
          ),
        ([keys, pieces, chunk]) => {
          clearSecrets();
          const [key, ...others] = keys;
          for (const other of others) addSecret(other);
          const env = { TELNYX_API_KEY: key };
          let written = "";
          const stream = new Writable({
            write(data, _encoding, done) {
              written += String(data);
              done();
            },
          });
          writePieces(stream, (emit) => pieces.forEach(emit), env, { chunk: chunk + 1 });
          assert.is(written, redact(pieces.join(""), env), JSON.stringify({ keys, pieces, chunk }));
        },
      ),
      { numRuns: 500 },
    );
  },
);

property(
  "with the keys of many accounts (most pairs of characters in some key), the scan still finds every run",
  () => {
    fc.assert(
      fc.property(
        fc
          .array(keyArb, { minLength: 40, maxLength: 60 })
          .chain((keys) => fc.tuple(fc.constant(keys), fc.array(pieceOf(keys), { maxLength: 6 }))),
        ([keys, pieces]) => {
          const text = pieces.join("");
          assert.is(redactSecrets(text, keys), slowRedact(text, keys), JSON.stringify({ text }));
        },
      ),
      { numRuns: 60 },
    );
  },
);

property(
  "a run's many keys, echoed more than a thousand times in one text: each echo of 8 or more is redacted, and nothing else",
  () => {
    // Sixty keys hold most pairs of letters and digits, so the scan looks at the windows alone, and a text of hundreds
    // of echoes holds more windows worth a look than the scan gathers at a time: it must go on past each batch.
    const separators = fc.string({ unit: fc.constantFrom(" ", ",", ".", ":", "!", "\n"), minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.uniqueArray(keyArb, { minLength: 60, maxLength: 60 }).chain((keys) =>
          fc.tuple(
            fc.constant(keys),
            fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 80 }), separators), {
              minLength: 300,
              maxLength: 400,
            }),
          ),
        ),
        ([keys, echoes]) => {
          let text = "";
          let expected = "";
          for (const [k, from, length, separator] of echoes) {
            const key = keys[k % keys.length]!;
            const start = from % key.length;
            const echo = key.slice(start, start + length);
            text += echo + separator;
            expected += (echo.length >= MIN_FRAGMENT ? "[redacted]" : echo) + separator;
          }
          // And every key whole, ten times over, wherever the echoes above came out short.
          for (let round = 0; round < 10; round += 1)
            for (const key of keys) {
              text += `${key} `;
              expected += "[redacted] ";
            }
          assert.is(redactSecrets(text, keys), expected);
        },
      ),
      { numRuns: 25 },
    );
  },
);

property("text without a run of 8 of the key comes back unchanged", () => {
  fc.assert(
    fc.property(keyArb, fc.string({ maxLength: 300 }), (key, text) => {
      fc.pre(fragmentIn(text, key) === undefined);
      assert.is(redactSecrets(text, [key]), text);
    }),
    { numRuns: 200 },
  );
});

property(
  "an API error echoing the own key or a managed account's: the ApiError, report-error's output and the audit line hold no run of 8 of either",
  async () => {
    await withTempDir(async (dir) => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          echoArb,
          keyArb,
          fc.boolean(),
          fc.constantFrom(400, 404, 422, 500, 503),
          async (echo, own, managed, status) => {
            fc.pre(echo.key !== own);
            clearSecrets();
            // The echoed key is the manager's own (TELNYX_API_KEY), or a managed account's (registered as fetched).
            const env = { TELNYX_API_KEY: managed ? own : echo.key };
            if (managed) addSecret(echo.key);
            const detail = echoOf(echo);
            const error = errorFor(
              "POST",
              "/organizations/users/u-1/actions/remove",
              answer(status, detail),
              new URL("https://api.telnyx.com/v2"),
              knownSecrets(env),
            );
            const io = memoryIo(env);
            reportError(error, io, "github");
            reportError(new Error(`while reading: ${detail}`), io, "text");
            const removal = {
              action: "remove" as const,
              id: "u-1",
              email: "a@example.com",
              user_status: "enabled",
              last_sign_in_at: null,
              record_type: "organization_sub_user",
              created_at: null,
              groups: null,
            };
            const path = `${dir}/audit-${(runs += 1)}.jsonl`;
            const log = AuditLog.open(path, (text) => redact(text, env));
            log.write(
              auditEntry({
                removal,
                outcome: "failed",
                status,
                attempts: 1,
                error: error.message,
                finishedAt: "2026-01-01T00:00:00.000Z",
              }),
            );
            log.write(
              auditEntry({
                removal,
                outcome: "failed",
                status,
                attempts: 1,
                error: clip(detail, echo.cut),
                finishedAt: "2026-01-01T00:00:00.000Z",
              }),
            );
            log.close();
            const outputs: [string, string][] = [
              ["the ApiError's message", error.fullMessage],
              ["report-error's output", io.text()],
              ["the audit log", readFileSync(path, "utf8")],
              ["the JSON of the error", redact(jsonText({ error: clip(detail, echo.cut) }), env)],
            ];
            for (const [where, text] of outputs) {
              const left = fragmentIn(text, echo.key);
              if (left !== undefined)
                throw new Error(`${JSON.stringify(left)} of the key is left in ${where}: ${JSON.stringify(text)}`);
            }
            assert.ok(error instanceof ApiError);
          },
        ),
        { numRuns: 150 },
      );
    });
  },
);

property.run();
