import { Writable } from "node:stream";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { addSecret, clearSecrets, redact, write } from "../../src/terminal/io.js";
import { TEST_API_KEY } from "../helpers/cli.js";

// What reaches the terminal: TELNYX_API_KEY and every secret learnt during the run (a managed account's key,
// once fetched) come out as [redacted].

const MANAGED_KEY = "KEY0A1B2C3D4E5F60718293A4B5C6D7E8F9_bWFuYWdlZC1rZXk";

function collector() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

const secrets = suite("terminal: secrets");
secrets.after.each(() => clearSecrets());

secrets("a managed account's key registered with addSecret is written as [redacted], as the main key is", () => {
  const out = collector();
  const env = { TELNYX_API_KEY: TEST_API_KEY };
  write(out.stream, `account key ${MANAGED_KEY}, main key ${TEST_API_KEY}\n`, env);
  assert.is(out.text(), `account key ${MANAGED_KEY}, main key [redacted]\n`, "not yet registered: written as it came");
  addSecret(MANAGED_KEY);
  write(out.stream, `again ${MANAGED_KEY}${MANAGED_KEY} and ${TEST_API_KEY}\n`, env);
  assert.is(out.text().split("\n")[1], "again [redacted][redacted] and [redacted]");
});

secrets(
  "every registered key is replaced, without TELNYX_API_KEY set, and a key that holds another is replaced whole",
  () => {
    addSecret("KEY-short-one");
    addSecret("KEY-short-one-and-longer");
    addSecret(MANAGED_KEY);
    assert.is(
      redact(`a KEY-short-one-and-longer b KEY-short-one c ${MANAGED_KEY}`, {}),
      "a [redacted] b [redacted] c [redacted]",
    );
  },
);

secrets("values too short to be keys are not registered, so ordinary words survive", () => {
  addSecret("");
  addSecret("abc");
  assert.is(redact("abc is not a key", {}), "abc is not a key");
});

secrets("clearSecrets forgets them", () => {
  addSecret(MANAGED_KEY);
  clearSecrets();
  assert.is(redact(MANAGED_KEY, {}), MANAGED_KEY);
});

secrets.run();
