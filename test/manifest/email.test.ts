import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { problems } from "../helpers/manifest.js";
import { emailProblem, foldCase, isPlainAddress, normalizeEmail, readableEmail } from "../../src/core/email.js";
import { parseManifest } from "../../src/manifest/parse-manifest.js";
import { confusableLetters, emailsLookAlike } from "../../src/core/lookalike.js";

test("emails compare case-insensitively after trimming and composition, ASCII or not", () => {
  assert.is(normalizeEmail("  Alice@Example.COM "), "alice@example.com");
  assert.is(normalizeEmail("jose\u0301@example.com"), normalizeEmail("JOS\u00c9@example.com"));
});

test("full case folding: the Greek final sigma, the German sharp s, and Turkish letters by the default rules", () => {
  assert.is(normalizeEmail("ΟΔΟΣ@x.example"), normalizeEmail("οδοσ@x.example"));
  assert.is(normalizeEmail("οδος@x.example"), normalizeEmail("οδοσ@x.example"));
  assert.is(normalizeEmail("STRASSE@x.example"), normalizeEmail("straße@x.example"));
  assert.is(normalizeEmail("STRA\u1e9eE@x.example"), normalizeEmail("straße@x.example"));
  // Default (not Turkish) folding: İ is i with a dot above, and the dotless ı is a letter of its own.
  assert.is(foldCase("\u0130"), "i\u0307");
  assert.is.not(normalizeEmail("\u0131lker@x.example"), normalizeEmail("ilker@x.example"));
  assert.is(normalizeEmail("ILKER@x.example"), normalizeEmail("ilker@x.example"));
});

test("an internationalised domain compares in its ASCII form, whichever spelling is given", () => {
  assert.is(normalizeEmail("user@bücher.example"), "user@xn--bcher-kva.example");
  assert.is(normalizeEmail("User@BÜCHER.example"), normalizeEmail("user@xn--bcher-kva.example"));
  assert.is(readableEmail("user@xn--bcher-kva.example"), "user@bücher.example");
});

test("a trailing dot names the same domain; a quoted local part that needs no quotes is its content", () => {
  assert.is(normalizeEmail("a@example.com."), "a@example.com");
  assert.is(normalizeEmail('"Alice"@example.com'), "alice@example.com");
  assert.is(normalizeEmail('"A B"@example.com'), '"a b"@example.com');
});

test("the compared form of a compared form is itself", () => {
  for (const email of [
    "ΟΔΟΣ@x.example",
    "user@BÜCHER.example.",
    '"A B"@example.com',
    "STRA\u1e9eE@x.example",
    "\u0130stanbul@x.example",
    "a@xn--zz.example",
  ]) {
    assert.is(normalizeEmail(normalizeEmail(email)), normalizeEmail(email), email);
  }
});

test("addresses in other scripts are legitimate; Latin mixed with a look-alike script is not, in the local part or a domain label", () => {
  assert.is(emailProblem("соре@example.com"), undefined);
  assert.is(emailProblem("οδος@παράδειγμα.example"), undefined);
  assert.is(emailProblem("user@bücher.example"), undefined);
  assert.match(emailProblem("\u0430lice@example.com") ?? "", "mixes Latin and Cyrillic");
  assert.match(emailProblem("alice@ex\u0430mple.com") ?? "", "mixes Latin and Cyrillic");
  assert.match(emailProblem("a@xn--zz.example") ?? "", "is not a valid domain name");
  assert.match(emailProblem("a@under_score.example") ?? "", "is not a valid domain name");
});

test("the TR39 skeleton makes look-alikes equal, over the local part and the domain", () => {
  assert.ok(emailsLookAlike("соре@example.com", "cope@example.com"));
  assert.ok(emailsLookAlike("cope@ex\u0430mple.com", "cope@example.com"));
  assert.ok(emailsLookAlike("rn@example.com", "m@example.com"));
  assert.not.ok(emailsLookAlike("bob@example.com", "rob@example.com"));
});

test("confusable letters are the ones that are not ASCII but read as ASCII", () => {
  assert.equal(
    confusableLetters("соре@example.com").map((l) => l.letter),
    ["с", "о", "р", "е"],
  );
  assert.equal(confusableLetters("user@bücher.example"), []);
  assert.equal(confusableLetters("cope@example.com"), []);
});

test("the manifest accepts quoted local parts, trailing dots and either spelling of a domain, and finds their duplicates", () => {
  const manifest = parseManifest(
    `version: 1\nusers:\n  - '"a b"@example.com'\n  - b@example.com.\n  - user@bücher.example\n`,
    "users.yaml",
  );
  assert.equal(
    manifest.users.map((u) => [u.written, u.email]),
    [
      ['"a b"@example.com', '"a b"@example.com'],
      ["b@example.com.", "b@example.com"],
      ["user@bücher.example", "user@xn--bcher-kva.example"],
    ],
  );
  assert.equal(
    problems(
      `version: 1\nusers:\n  - '"alice"@example.com'\n  - ALICE@example.com.\n  - user@bücher.example\n  - user@xn--bcher-kva.example\n`,
    ),
    [
      'users.yaml:4:5: duplicate user "alice@example.com" (first at line 3)',
      'users.yaml:6:5: duplicate user "user@xn--bcher-kva.example" (first at line 5)',
    ],
  );
});

test("the plain-address shortcut agrees with the general path (which a surrounding space takes) on every address it takes", () => {
  const unit = fc.constantFrom(..."aAzZ09._-+@xnXN".split(""), "xn--", "Xn--", ".com", "@b.c");
  fc.assert(
    fc.property(fc.string({ unit, minLength: 3, maxLength: 30 }), (email) => {
      if (!isPlainAddress(email)) return;
      assert.is(normalizeEmail(email), normalizeEmail(` ${email} `), email);
      assert.is(emailProblem(` ${email}`), undefined, email);
      assert.is(emailProblem(email), undefined, email);
    }),
    { numRuns: 3000 },
  );
  assert.ok(isPlainAddress("Alice.Smith@Example.com"));
  for (const notPlain of ["alice@xn--bcher-kva.example", "alice@Xn--bcher-kva.example", "a b@x.com", '"a"@x.com'])
    assert.not.ok(isPlainAddress(notPlain), notPlain);
});

test.run();
