import { createHash } from "node:crypto";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { sha256 } from "../../src/core/digest.js";

test("a digest names the SHA-256 of the text's UTF-8 bytes, in lower-case hex", () => {
  assert.is(sha256(""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.is(sha256(Buffer.from("version: 1\n")), sha256("version: 1\n"));
});

test("the one-call digest names the same content as a Hash object does, for any text or bytes", () => {
  const general = (data: string | Uint8Array) => `sha256:${createHash("sha256").update(data).digest("hex")}`;
  fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => sha256(text) === general(text)));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => sha256(bytes) === general(bytes)));
});

test.run();
