import { test } from "uvu";
import * as assert from "uvu/assert";
import { normalizeEmail } from "../../src/core/email.js";
import { compileProtectPattern, patternProblem } from "../../src/manifest/protect-pattern.js";
import { problems } from "../helpers/manifest.js";

const matches = (pattern: string, email: string) => compileProtectPattern(pattern).matches(normalizeEmail(email));

test("a pattern is normalised as emails are: composed, case-folded, either spelling of a domain", () => {
  assert.ok(matches("jose\u0301*@example.com", "JOSÉ.garcia@example.com"));
  assert.ok(matches("ΟΔΟΣ*@example.com", "οδος@example.com"));
  assert.ok(matches("*@bücher.example", "user@xn--bcher-kva.example"));
  assert.ok(matches("*@xn--bcher-kva.example", "user@BÜCHER.example"));
  assert.ok(matches("*@bü*.example", "user@xn--bcher-kva.example"));
  assert.ok(matches("*@example.com.", "a@example.com"));
  assert.not.ok(matches("*@bücher.example", "user@bucher.example"));
});

test("only * and ? are wildcards: dots and plus signs in a pattern are themselves", () => {
  assert.ok(matches("svc.*@example.com", "svc.billing@example.com"));
  assert.not.ok(matches("svc.*@example.com", "svcxbilling@example.com"));
  assert.ok(matches("ops+*@example.com", "ops+alerts@example.com"));
  assert.not.ok(matches("ops+*@example.com", "opsalerts@example.com"));
});

test("syntax of other pattern languages is refused, at the character, saying what to write", () => {
  assert.equal(patternProblem("[ab]@example.com")?.index, 0);
  assert.match(patternProblem("[ab]@example.com")?.message ?? "", "character classes such as [ab] are not supported");
  assert.match(patternProblem("{a,b}@example.com")?.message ?? "", "write one pattern for each alternative");
  assert.equal(patternProblem(".*@example.com")?.index, 0);
  assert.equal(patternProblem("*@.*example.com")?.index, 2);
  assert.equal(patternProblem(".+@example.com")?.index, 0);
  assert.equal(patternProblem("a*+@example.com")?.index, 2);
  for (const bad of ["^a@example.com", "a@example.com$", "a\\.b@example.com", "(a|b)@example.com"]) {
    assert.match(patternProblem(bad)?.message ?? "", "regular expressions", bad);
  }
  for (const good of [
    "*@partners.example.com",
    "svc-?@example.com",
    "svc.*@example.com",
    "ops+*@example.com",
    "*",
    "*@bücher.example",
  ]) {
    assert.is(patternProblem(good), undefined, good);
  }
});

test("a pattern gets the email checks: hidden characters, compatibility forms, mixed scripts", () => {
  assert.match(patternProblem("*@partners.example.com\u200b")?.message ?? "", "invisible or control");
  assert.match(patternProblem("*@\uff50artners.example.com")?.message ?? "", "compatibility form");
  assert.match(patternProblem("*@p\u0430rtners.example.com")?.message ?? "", "mixes Latin and Cyrillic");
  assert.is(patternProblem("*@пример.example"), undefined);
});

test("the yaml reading and the schema agree: an unsupported pattern is one positioned error, at its character", () => {
  const text =
    'version: 1\nusers:\n  - a@example.com\nprotect:\n  - "ops-[ab]@example.com"\n  - svc.*@example.com\n  - ^x@example.com\n';
  assert.equal(problems(text), [
    'users.yaml:5:10: protect pattern "ops-[ab]@example.com": character classes such as [ab] are not supported: write one pattern for each address, or ? for any one character',
    'users.yaml:7:5: protect pattern "^x@example.com": "^" belongs to regular expressions, which are not supported: protect patterns are globs where * matches any run of characters and ? one character, such as "*@partners.example.com"',
  ]);
  assert.equal(problems("version: 1\nusers:\n  - a@example.com\nprotect:\n  - .*@example.com\n"), [
    'users.yaml:5:5: protect pattern ".*@example.com": ".*" is a regular expression; protect patterns are globs where * matches any run of characters and ? one character, such as "*@partners.example.com" (write * instead)',
  ]);
});

test.run();
