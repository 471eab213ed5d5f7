import { createRequire } from "node:module";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { normalizeEmail } from "../../src/core/email.js";
import { groupKey } from "../../src/core/groups.js";
import { emailsLookAlike, namesLookAlike, skeleton } from "../../src/core/lookalike.js";
import { showName } from "../../src/core/names.js";
import type { OrganizationUser } from "../../src/core/organization-user.js";
import { lookalikeProblems } from "../../src/plan/lookalikes.js";
import { planRemovals } from "../../src/plan/plan.js";
import { judge, rulesOf } from "../../src/plan/rules.js";

// The confusables data the look-alike rule is built on (Unicode's confusables.txt, as unhomoglyph ships it).
const confusables = createRequire(import.meta.url)("unhomoglyph/data.json") as Record<string, string>;

/** For each Latin letter, the letters and digits of any script whose skeleton is that letter's, small or capital. */
const LETTERS = "abcdefghijklmnopqrstuvwxyz";
const lookalikesOf = new Map<string, string[]>();
for (const letter of LETTERS) {
  const targets = new Set([skeleton(letter), skeleton(letter.toUpperCase())]);
  const sources = [...Object.keys(confusables), letter.toUpperCase()]
    .filter((source) => /^[\p{L}\p{N}]$/u.test(source) && source !== letter)
    .filter((source) => targets.has(skeleton(source)));
  if (sources.length > 0) lookalikesOf.set(letter, sources);
}

const label = (min: number) => fc.string({ unit: fc.constantFrom(...LETTERS), minLength: min, maxLength: 8 });
/** A live address drawn at random, in the case the API may give it. */
const liveAddress = fc
  .tuple(
    label(1),
    fc.array(label(2), { minLength: 1, maxLength: 2 }),
    fc.constantFrom("com", "org", "example"),
    fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
  )
  .map(([local, labels, tld, capitals]) =>
    [...`${local}@${[...labels, tld].join(".")}`].map((ch, i) => (capitals[i] ? ch.toUpperCase() : ch)).join(""),
  );

/** A manifest's spelling of `live`: some of its letters replaced by confusables of either case. */
const respelled = (live: string) =>
  fc
    .tuple(
      fc.array(fc.nat(), { minLength: live.length, maxLength: live.length }),
      fc.array(fc.boolean(), { minLength: live.length, maxLength: live.length }),
    )
    .map(([picks, replace]) => {
      let replaced = false;
      const out = [...live].map((ch, i) => {
        const sources = lookalikesOf.get(ch.toLowerCase());
        if (!sources || !(replace[i] || (!replaced && i === live.length - 1))) return ch;
        replaced = true;
        return sources[picks[i]! % sources.length]!;
      });
      return out.join("");
    });

test("the confusables data gives look-alikes of either case for most Latin letters (the property below draws from them)", () => {
  assert.ok(lookalikesOf.size >= 20, `only ${lookalikesOf.size} letters`);
  assert.ok(lookalikesOf.get("a")!.includes("\u0391"), "Greek capital Alpha reads as A");
  assert.ok(lookalikesOf.get("a")!.includes("\u0430"), "Cyrillic small a reads as a");
});

test("named look-alikes across case and script: each pair looks alike", () => {
  const pairs = [
    ["ΑΒΕ@example.com", "abe@example.com", "Greek capitals against Latin small letters"],
    ["ΑΒΕ@example.com", "ABE@EXAMPLE.COM", "Greek capitals against Latin capitals"],
    ["аbе@example.com", "ABE@example.com", "Cyrillic small letters against Latin capitals"],
    ["ТОМ@example.com", "tom@example.com", "Cyrillic capitals"],
    ["Ian@example.com", "lan@example.com", "Latin: a capital I reads as a small l"],
    ["ian@example.com", "lan@example.com", "Latin: i may be written I, which reads as l"],
    ["W1y@example.com", "wiy@example.com", "the digit 1 reads as a capital I"],
    ["mary@example.com", "rnary@example.com", "m reads as rn"],
    ["abe@ЕХАМРLЕ.com", "abe@example.com", "a domain label in Cyrillic capitals"],
    ["abe@xn--e1awd7f.com", "abe@epic.com", "a punycode label read in Unicode"],
    ["rn@example.com", "m@example.com", "rn and m"],
    ["a\u200bbe@example.com", "abe@example.com", "an invisible character"],
  ];
  for (const [a, b, why] of pairs) {
    assert.ok(emailsLookAlike(a!, b!), `${a} and ${b}: ${why}`);
    assert.ok(emailsLookAlike(b!, a!), `${b} and ${a}, the other way: ${why}`);
  }
  for (const [a, b] of [
    ["bob@example.com", "rob@example.com"],
    ["abe@example.com", "abe@example.org"],
    ["abe@example.com", "abe@mail.example.com"],
  ]) {
    assert.not.ok(emailsLookAlike(a!, b!), `${a} and ${b} do not look alike`);
  }
});

test("property: a manifest spelling made of confusables of either case is the live user or refuses the plan, never removes them", () => {
  fc.assert(
    fc.property(
      liveAddress.chain((live) => fc.tuple(fc.constant(live), respelled(live))),
      ([live, written]) => {
        if (normalizeEmail(written) === normalizeEmail(live)) return true; // the same address: kept as listed
        const plan = { missing: [{ email: written, line: 3, col: 5 }], removals: [{ email: live }] } as Parameters<
          typeof lookalikeProblems
        >[0];
        return emailsLookAlike(written, live) && lookalikeProblems(plan, "users.yaml").length === 1;
      },
    ),
    { numRuns: 400 },
  );
});

test("property: through the planner, a confusable spelling of a live user either keeps them or is refused", () => {
  fc.assert(
    fc.property(
      liveAddress.chain((live) => fc.tuple(fc.constant(live), respelled(live))),
      ([live, written]) => {
        const user = {
          id: "1",
          email: live,
          record_type: "organization_sub_user",
          user_status: "enabled",
        } as OrganizationUser;
        const manifest = {
          users: [{ email: normalizeEmail(written), written, position: { line: 3, col: 5 } }],
          protect: [],
        };
        const plan = planRemovals(manifest, [user]);
        return plan.removals.length === 0 || lookalikeProblems(plan, "users.yaml").length > 0;
      },
    ),
    { numRuns: 300 },
  );
});

// Letters that no other letter reads as, small or capital, and whose skeletons are themselves.
const PLAIN = [..."abcdefghjknpqrstuvwxyz2345689éüñåøç"].filter(
  (ch) => skeleton(ch) === ch.normalize("NFD") && skeleton(ch.toUpperCase()) === ch.toUpperCase().normalize("NFD"),
);
const plainLabel = (min: number) => fc.string({ unit: fc.constantFrom(...PLAIN), minLength: min, maxLength: 6 });
const plainAddress = fc
  .tuple(plainLabel(1), plainLabel(1), fc.constantFrom("com", "org"), fc.boolean())
  .map(([local, domain, tld, upper]) => {
    const email = `${local}@${domain}.${tld}`;
    return upper ? email.toUpperCase() : email;
  });

test("property: addresses with no confusable letter never look alike unless they are the same address", () => {
  assert.ok(PLAIN.length >= 25, PLAIN.join(""));
  fc.assert(
    fc.property(
      plainAddress,
      plainAddress,
      (a, b) => (normalizeEmail(a) === normalizeEmail(b)) === emailsLookAlike(a, b),
    ),
    { numRuns: 500 },
  );
});

test("property: a manifest of addresses with no confusable letter is never refused as a look-alike", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(plainAddress, { minLength: 1, maxLength: 12, selector: normalizeEmail }),
      fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      (emails, listed) => {
        const live = emails.map(
          (email, i) =>
            ({
              id: String(i),
              email,
              record_type: "organization_sub_user",
              user_status: "enabled",
            }) as OrganizationUser,
        );
        const users = emails
          .filter((_, i) => listed[i])
          .map((email) => ({ email: normalizeEmail(email), written: email, position: { line: 1, col: 1 } }));
        const others = fc
          .sample(plainAddress, { numRuns: 3, seed: emails.length })
          .filter((email) => !emails.some((e) => normalizeEmail(e) === normalizeEmail(email)));
        const manifest = {
          users: [
            ...users,
            ...others.map((email) => ({ email: normalizeEmail(email), written: email, position: { line: 2, col: 1 } })),
          ],
          protect: [],
        };
        return lookalikeProblems(planRemovals(manifest, live), "users.yaml").length === 0;
      },
    ),
    { numRuns: 200 },
  );
});

/** A group name drawn at random, with letters that Unicode can write composed or decomposed. */
const groupName = fc
  .array(
    fc.oneof(fc.constantFrom(..."ABCabcxyz"), fc.constantFrom("É", "é", "Å", "ñ", "Ü", "ø", "ç"), fc.constant(" ")),
    { minLength: 1, maxLength: 16 },
  )
  .map((chars) => chars.join("").trim())
  .filter((name) => name !== "");
/** The same name written another way: decomposed, its spaces no-break or doubled, a zero-width space inside. */
const respelledName = (name: string) =>
  fc
    .tuple(fc.boolean(), fc.constantFrom(" ", "\u00a0", "  ", "\u2009"), fc.boolean())
    .map(([decompose, space, zeroWidth]) => {
      const written = (decompose ? name.normalize("NFD") : name.normalize("NFC")).replace(/ /g, space);
      return zeroWidth ? `${written.slice(0, 1)}\u200b${written.slice(1)}` : written;
    });

test("property: a group name in any Unicode form or spacing is the same group: protect keeps its members", () => {
  fc.assert(
    fc.property(
      groupName.chain((name) => fc.tuple(respelledName(name), respelledName(name))),
      ([inManifest, fromApi]) => {
        const member = {
          id: "1",
          email: "sam@example.com",
          record_type: "organization_sub_user",
          user_status: "enabled",
          groups: [{ name: fromApi }],
        } as OrganizationUser;
        const rules = rulesOf({ users: [], protect: [], protectGroups: [{ name: groupKey(inManifest) }] });
        const plan = planRemovals(
          { users: [], protect: [], protectGroups: [{ name: groupKey(inManifest), position: { line: 1, col: 1 } }] },
          [member],
        );
        return (
          groupKey(inManifest) === groupKey(fromApi) &&
          judge(member, rules).kind === "protected" &&
          plan.removals.length === 0 &&
          !plan.unusedGroups
        );
      },
    ),
    { numRuns: 300 },
  );
});

test("group names that look alike across script and case, and names that do not", () => {
  assert.ok(namesLookAlike("\u0391dmins", "Admins"), "Greek capital Alpha");
  assert.ok(namesLookAlike("admins", "Admins"), "only the case differs");
  assert.ok(namesLookAlike("Αdmins", "ADMINS"));
  assert.not.ok(namesLookAlike("Billing", "Admins"));
  assert.not.ok(namesLookAlike("Admin", "Admins"));
});

test("a name in a message shows the characters a reader cannot see as code points", () => {
  assert.is(showName("Billing\u00a0Team"), '"Billing\\u00a0Team"');
  assert.is(showName("A\u200bB"), '"A\\u200bB"');
  assert.is(showName("Équipe"), '"Équipe"');
});

test.run();
