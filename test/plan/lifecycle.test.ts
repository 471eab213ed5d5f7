import { test } from "uvu";
import * as assert from "uvu/assert";
import { daysUntil, expiryOf, expiryProblem, idleDays, utcToday } from "../../src/plan/lifecycle.js";

/** A day relative to today, as the manifest writes it: tests choose dates around the real clock, never a fixed one. */
const day = (offset: number) => utcToday(new Date(Date.now() + offset * 86_400_000));
const today = utcToday(new Date());

test("expires: is a calendar date; a time, a month 13 or February 30 is refused with what to write", () => {
  assert.is(expiryProblem("2026-12-31"), undefined);
  assert.is(expiryProblem("2028-02-29"), undefined, "a leap day");
  for (const [text, words] of [
    ["2026-13-45", "not a day of the calendar"],
    ["2026-02-30", "not a day of the calendar"],
    ["2027-02-29", "not a day of the calendar"],
    ["2026-12-01T10:00", "is a time, not a date"],
    ["2026-12-01T10:00:00Z", "is a time, not a date"],
    ["next friday", "is not a date"],
    ["2026-1-5", "is not a date"],
  ]) {
    assert.match(expiryProblem(text!) ?? "", words!, text);
  }
});

test("a listed user's access around its last day: expiring within the warning days, expired from the day after", () => {
  assert.equal(expiryOf(undefined, today), { state: "none" });
  assert.equal(expiryOf(day(-1), today), { state: "expired", expires: day(-1), daysLeft: -1 });
  assert.equal(
    expiryOf(today, today),
    { state: "expiring", expires: today, daysLeft: 0 },
    "the last day is a day of access",
  );
  assert.equal(expiryOf(day(5), today), { state: "expiring", expires: day(5), daysLeft: 5 });
  assert.equal(expiryOf(day(14), today), { state: "expiring", expires: day(14), daysLeft: 14 });
  assert.equal(expiryOf(day(15), today), { state: "active", expires: day(15), daysLeft: 15 });
  assert.equal(expiryOf(day(15), today, 30).state, "expiring", "the manifest's warn_before_expiry_days");
  assert.is(daysUntil(day(-400), today), -400);
});

test("idle days count from the last sign-in, or from creation for a user who never signed in", () => {
  const now = new Date();
  assert.is(idleDays({ last_sign_in_at: new Date(now.getTime() - 90 * 86_400_000).toISOString() }, now), 90);
  assert.is(
    idleDays({ last_sign_in_at: null, created_at: new Date(now.getTime() - 3 * 86_400_000).toISOString() }, now),
    3,
  );
  assert.is(idleDays({ last_sign_in_at: null, created_at: null }, now), null);
  assert.is(idleDays({ last_sign_in_at: "not a time" }, now), null);
});

test.run();
