import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ApplySummary } from "../../src/apply/apply-plan.js";
import { applyExitCode, type ApplyEnd } from "../../src/apply/exit-code.js";
import { ApiError } from "../../src/telnyx/api-error.js";

const summary = (counts: Partial<ApplySummary> = {}): ApplySummary => ({
  removed: 3,
  already_absent: 1,
  failed: 0,
  unknown: 0,
  not_started: 0,
  ...counts,
});
const end = (overrides: Partial<ApplyEnd> = {}): ApplyEnd => ({
  result: { summary: summary() },
  verification: { converged: true },
  auditFailure: false,
  writeFailure: false,
  interrupted: false,
  ...overrides,
});

test("a run that did everything it planned and was verified exits 0, as does one not verified (--no-verify)", () => {
  assert.is(applyExitCode(end()), 0);
  assert.is(applyExitCode(end({ verification: undefined })), 0);
});

test("not converged exits 1, even when every removal said removed or already absent", () => {
  assert.is(applyExitCode(end({ verification: { converged: false } })), 1);
});

test("a failed removal, an uncertain one or one never started exits 1", () => {
  assert.is(applyExitCode(end({ result: { summary: summary({ failed: 1 }) } })), 1);
  assert.is(applyExitCode(end({ result: { summary: summary({ unknown: 1 }) } })), 1);
  assert.is(
    applyExitCode(
      end({
        result: {
          summary: summary({ not_started: 2 }),
          stoppedBy: "auth",
          fatal: new ApiError("auth", "authentication failed"),
        },
      }),
    ),
    1,
  );
});

test("an interruption exits 130, whatever the removals did and even when the closed terminal lost the summary", () => {
  const stopped = { summary: summary({ failed: 1, unknown: 1, not_started: 5 }), stoppedBy: "interrupt" as const };
  assert.is(applyExitCode(end({ result: stopped, verification: undefined, interrupted: true })), 130);
  assert.is(
    applyExitCode(end({ result: stopped, verification: undefined, interrupted: true, writeFailure: true })),
    130,
  );
});

test("output that could not be written exits 1, stopped or not", () => {
  assert.is(applyExitCode(end({ writeFailure: true })), 1);
  assert.is(
    applyExitCode(
      end({
        writeFailure: true,
        result: { summary: summary({ not_started: 4 }), stoppedBy: "interrupt" },
        verification: undefined,
      }),
    ),
    1,
  );
});

test("a lost audit line exits 1, before anything else, an interruption included", () => {
  assert.is(applyExitCode(end({ auditFailure: true })), 1);
  assert.is(applyExitCode(end({ auditFailure: true, interrupted: true })), 1);
});

test("a run stopped without a signal (a lost line or lost output already counted) never passes for a success", () => {
  assert.is(applyExitCode(end({ result: { summary: summary(), stoppedBy: "interrupt" } })), 1);
});

test.run();
