import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseManifest, parseManifestWithYaml } from "../../src/manifest/parse-manifest.js";
import { expiredWarnings } from "../../src/plan/expiry-warnings.js";
import { utcToday } from "../../src/plan/lifecycle.js";
import { problems } from "../helpers/manifest.js";

const day = (offset: number) => utcToday(new Date(Date.now() + offset * 86_400_000));
const today = utcToday(new Date());

const manifest = (users: string, rest = "") => `version: 1\nusers:\n  - alice@example.com\n${users}${rest}`;

test("expires: and policy: read the same whichever reading serves the manifest, with their places", () => {
  const text = manifest(
    "  - email: bob@example.com\n    expires: 2099-12-31\n  - email: carol@example.com\n    expires: '2030-01-15'\n",
    "policy:\n  warn_before_expiry_days: 30\n  inactive_after_days: 90\n",
  );
  for (const read of [parseManifest, parseManifestWithYaml]) {
    const result = read(text, "users.yaml");
    assert.equal(
      result.users.map((u) => [u.email, u.expires, u.expiresAt]),
      [
        ["alice@example.com", undefined, undefined],
        ["bob@example.com", "2099-12-31", { line: 5, col: 14 }],
        ["carol@example.com", "2030-01-15", { line: 7, col: 14 }],
      ],
    );
    assert.equal(result.policy, { warnBeforeExpiryDays: 30, inactiveAfterDays: 90 });
  }
});

test("without policy:, users are listed as expiring 14 days ahead and no idle report is made", () => {
  for (const read of [parseManifest, parseManifestWithYaml]) {
    assert.equal(read(manifest(""), "users.yaml").policy, { warnBeforeExpiryDays: 14 });
  }
});

test("an expires: that is not a calendar date, and a policy that is not whole days, are errors at the value", () => {
  const cases: [string, string][] = [
    ["  - email: bob@example.com\n    expires: 2026-13-45\n", 'users.yaml:5:14: expires "2026-13-45" is not a day'],
    ["  - email: bob@example.com\n    expires: 2026-02-30\n", 'users.yaml:5:14: expires "2026-02-30" is not a day'],
    [
      "  - email: bob@example.com\n    expires: 2026-12-01T10:00:00\n",
      'users.yaml:5:14: expires "2026-12-01T10:00:00" is a time, not a date',
    ],
    ["  - email: bob@example.com\n    expires: next friday\n", 'users.yaml:5:14: expires "next friday" is not a date'],
    [
      "  - email: bob@example.com\n    expires: 20261201\n",
      'users.yaml:5:14: "expires" must be the last day of access as a date such as 2026-12-31, found the number 20261201',
    ],
    [
      "policy:\n  inactive_after_days: 0\n",
      "users.yaml:5:24: inactive_after_days must be a whole number of days, 1 or more, found the number 0",
    ],
    [
      "policy:\n  warn_before_expiry_days: 1.5\n",
      "users.yaml:5:28: warn_before_expiry_days must be a whole number of days, 0 or more, found the number 1.5",
    ],
    [
      "policy:\n  warn_before_expiry_days: -1\n",
      "users.yaml:5:28: warn_before_expiry_days must be a whole number of days, 0 or more, found the number -1",
    ],
    [
      "policy:\n  idle_after: 3\n",
      'users.yaml:5:3: unknown key "idle_after" in policy: the keys allowed are warn_before_expiry_days, inactive_after_days',
    ],
    [
      "policy: 90\n",
      'users.yaml:4:9: "policy" must be a mapping with warn_before_expiry_days and/or inactive_after_days, found the number 90',
    ],
  ];
  for (const [tail, expected] of cases) {
    const found = problems(manifest(tail));
    assert.is(found.length, 1, `${tail}: ${found.join("; ")}`);
    assert.ok(found[0]!.startsWith(expected), `${found[0]} should start with ${expected}`);
  }
});

test("a date already past is a warning at its line; today, and dates ahead, are not", () => {
  const text = manifest(
    [day(-1), today, day(5)].map((date, i) => `  - email: u${i}@example.com\n    expires: ${date}\n`).join(""),
  );
  const warnings = expiredWarnings(parseManifest(text, "users.yaml"), today);
  assert.equal(
    warnings.map((w) => `${w.line}:${w.col}`),
    ["5:14"],
  );
  assert.match(warnings[0]!.message, `the access of u0@example.com ended on ${day(-1)} (1 day ago)`);
});
test.run();
