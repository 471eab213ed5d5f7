import { verifyAccounts, type AccountsVerification } from "../apply/verify.js";
import { runVerificationText } from "../render/apply-report.js";
import type { RunView } from "../render/run-plan.js";
import type { PlannedTargets } from "../targets/plan-targets.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { write, type Io } from "../terminal/io.js";
import { atWidth } from "./at-width.js";
import type { RemovalRun } from "./run-removals.js";

/** What reading the organizations again found, and its text (empty when they were not read again). */
export interface RunVerification {
  verification?: AccountsVerification;
  verifiedText: string;
}

/**
 * Reads each organization again (but one whose key was refused) and says whether it converged, on stdout
 * unless --format json. Not when the run was stopped: it did not do all it planned, and its output may not
 * show the answer.
 */
export async function verifyRun(
  planned: PlannedTargets,
  view: RunView,
  run: RemovalRun,
  options: { concurrency: number; json: boolean },
  io: Io,
): Promise<RunVerification> {
  const { outcome, result, watch } = run;
  if (outcome.stoppedBy || watch.writeFailure()) return { verifiedText: "" };
  const stopped = new Set(outcome.refused.map((r) => r.account.id));
  const checks = planned.targets.filter((t) => !stopped.has(t.account.id));
  const read = (t: (typeof checks)[number]) => () => readOrganization(t.client, { concurrency: options.concurrency });
  const verification = await verifyAccounts(
    checks.map((t) => ({ account: t.account, rules: t.prepared.rules, read: read(t) })),
    { concurrency: options.concurrency },
  );
  const refused = outcome.refused.map((r) => r.account);
  const verifiedText = runVerificationText(view, verification, refused, result.results);
  if (!options.json && verifiedText) write(io.stdout, atWidth(verifiedText, io), io.env);
  return { verification, verifiedText };
}
