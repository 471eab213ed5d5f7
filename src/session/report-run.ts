import { applyExitCode } from "../apply/exit-code.js";
import { sanitize } from "../core/safe-text.js";
import { applyDocument, closingLines } from "../render/apply-report.js";
import { accountsSummary, type RunView } from "../render/run-plan.js";
import { write, writeJson, type Io } from "../terminal/io.js";
import type { ApplyReport } from "./apply-report.js";
import { reportLostOutput } from "./lost-output.js";
import type { RemovalRun } from "./run-removals.js";
import type { RunVerification } from "./verify-run.js";

/**
 * Reports what an apply did (the job summary, the JSON document with --format json, a lost audit line, the
 * results that lost output may have kept from stdout) and returns its exit code: a pure function of what happened.
 */
export async function reportRun(
  view: RunView,
  run: RemovalRun,
  verified: RunVerification,
  options: { json: boolean },
  report: ApplyReport,
  io: Io,
): Promise<number> {
  const { outcome, result, watch } = run;
  const { verification, verifiedText } = verified;
  const auditFailure = watch.audit.failure;
  const removals = new Map(run.runs.map((t) => [t.account.id, t.prepared.plan.removals.length]));
  const parts = outcome.accounts.map(({ account, result }) => ({
    account,
    result,
    planned: removals.get(account.id) ?? 0,
  }));
  report(closingLines(view, result, verifiedText, auditFailure), { accounts: parts, result });
  if (options.json) writeJson(io.stdout, applyDocument(view, outcome, verification), io.env);
  await io.output?.settled();
  watch.stopWatching();
  if (auditFailure) write(io.stderr, `roster: error: ${sanitize(auditFailure)}\n`, io.env);
  const writeFailure = watch.writeFailure();
  if (writeFailure) reportLostOutput(writeFailure, result, accountsSummary(view).remove, verifiedText, io);
  return applyExitCode({
    result,
    verification: verification ? { converged: verification.converged } : undefined,
    auditFailure: auditFailure !== undefined,
    writeFailure: writeFailure !== undefined,
    interrupted: watch.interrupted(),
  });
}
