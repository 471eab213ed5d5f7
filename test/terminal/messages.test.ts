import { PassThrough } from "node:stream";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { forStderr } from "../../src/terminal/messages.js";

// Messages on stderr at a terminal are wrapped at words; in logs and pipes they are left as they are.

const KEY = "KEY_abcdefghijklmnopqrstuvwxyz0123456789";
const MESSAGE = `roster: error: the API refused the key ${KEY} for GET /v2/organizations/users (401): check TELNYX_API_KEY`;

function ioOf(tty: boolean, columns: number | undefined, env: NodeJS.ProcessEnv = {}) {
  const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns });
  const stdout = Object.assign(new PassThrough(), { isTTY: tty, columns });
  return { stderr, stdout, env: { TELNYX_API_KEY: KEY, ...env } };
}

const CASES = [
  {
    name: "at a 40-column terminal, wrapped at words",
    io: ioOf(true, 40),
    expected: [
      "roster: error: the API refused the key",
      "[redacted] for GET",
      "/v2/organizations/users (401): check",
      "TELNYX_API_KEY",
    ],
  },
  {
    name: "at a terminal that reports 0 columns, wrapped to 100",
    io: ioOf(true, 0),
    expected: [
      "roster: error: the API refused the key [redacted] for GET /v2/organizations/users (401): check",
      "TELNYX_API_KEY",
    ],
  },
  {
    name: "in a pipe or log, one line",
    io: ioOf(false, 40),
    expected: [
      "roster: error: the API refused the key [redacted] for GET /v2/organizations/users (401): check TELNYX_API_KEY",
    ],
  },
  {
    name: "in CI at a terminal, one line",
    io: ioOf(true, 40, { CI: "true" }),
    expected: [
      "roster: error: the API refused the key [redacted] for GET /v2/organizations/users (401): check TELNYX_API_KEY",
    ],
  },
];

for (const c of CASES) {
  test(`a message on stderr ${c.name}, the key redacted before any wrap`, () => {
    const text = forStderr(MESSAGE, c.io);
    assert.equal(text.split("\n"), c.expected);
    assert.not.match(text, KEY.slice(0, 8));
  });
}

test("an indented line of a message keeps its indent when wrapped", () => {
  assert.equal(
    forStderr(
      'roster: 2 problems:\n  users.yaml:3:5: invalid email "not-an-email": write it as name@example.com',
      ioOf(true, 40),
    ).split("\n"),
    ["roster: 2 problems:", "  users.yaml:3:5: invalid email", '  "not-an-email": write it as', "  name@example.com"],
  );
});

test.run();
