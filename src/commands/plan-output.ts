import { write, type Io } from "../terminal/io.js";
import { writeFileAtomic } from "../files/write-file-atomic.js";
import { normalizeEmail } from "../core/email.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { reportMarkdown } from "../github/job-summary.js";
import { accountsSummary } from "../render/run-plan.js";
import { runMarkdown } from "../render/run-markdown.js";
import { desiredExpiresOf, savedRunText, type SavedPlan } from "../plan/saved-plan.js";
import type { PreparedPlan } from "../plan/prepare.js";
import { sanitize } from "../core/safe-text.js";
import { plural } from "../core/plural.js";
import type { PlannedTargets } from "../targets/plan-targets.js";
import { runView, showPlan, type PlanFormat } from "../session/show-plan.js";

// What `roster plan` does once every organization is planned: show the plan, report it, save it. A module of its
// own, loaded while the organizations are read: start-up pays only for what reads and plans.

/** How the plan is shown and saved. */
export interface PlanOutputOptions {
  format: PlanFormat;
  /** Also save the plan to this file, for `roster apply FILE`. */
  out?: string;
  /** Page a preview longer than the terminal (the default; --no-pager turns it off). */
  pager?: boolean;
}

/** Shows, reports and saves the run's plan; gives its removals and refused plans, which the exit code tells. */
export async function showRunPlan(
  planned: PlannedTargets,
  options: PlanOutputOptions,
  io: Io,
): Promise<{ remove: number; refused: number }> {
  const view = runView(planned);
  await showPlan(view, options.format, io, { pager: options.pager !== false });
  const total = accountsSummary(view);
  reportMarkdown(io, "plan", total.remove, () => runMarkdown(view));
  if (options.out) await savePlan(planned, options.out, io);
  return { remove: total.remove, refused: total.refused };
}

/**
 * Saves the run's plan for `roster apply FILE`: each organization by its id (never its key); a skipped account is not
 * in it.
 */
async function savePlan(planned: PlannedTargets, out: string, io: Io): Promise<void> {
  if (planned.targets.length === 0)
    throw new Error(`no account could be read, so there is no plan to save to ${out}. Nothing was changed.`);
  const now = new Date();
  const targets = planned.targets.map((t) => ({
    account: t.own ? null : t.account,
    saved: savedPlanOf(t.manifest!, t.prepared, now),
  }));
  const saved = {
    shape: planned.shape,
    createdAt: now.toISOString(),
    apiHost: planned.targets[0]!.prepared.source.host,
    targets,
  };
  // Readable by its owner only: it lists people's emails and statuses.
  await writeFileAtomic(out, savedRunText(saved, io.env.TELNYX_API_KEY ?? ""), { overwrite: true, mode: 0o600 });
  const file = sanitize(out);
  const skipped =
    planned.skipped.length > 0 ? ` (without the ${plural(planned.skipped.length, "skipped account")})` : "";
  const what =
    planned.shape === "organization" ? "the plan" : `the plan of ${plural(planned.targets.length, "account")}`;
  write(
    io.stderr,
    `Saved ${what} to ${file}${skipped}: roster apply ${file} applies exactly these removals.\n`,
    io.env,
  );
}

/**
 * What `roster apply FILE` needs of one organization: the plan, the manifest's rules and guards, the organization's
 * fingerprint.
 */
function savedPlanOf(manifest: LoadedManifest, prepared: PreparedPlan, now: Date): SavedPlan {
  const desiredExpires = desiredExpiresOf(manifest.users);
  return {
    createdAt: now.toISOString(),
    apiHost: prepared.source.host,
    manifest: {
      path: manifest.path,
      sha256: manifest.sha256,
      desiredEmails: manifest.users.map((user) => normalizeEmail(user.email)).sort(),
      ...(desiredExpires ? { desiredExpires } : {}),
      protect: manifest.protect,
      protectGroups: manifest.protectGroups.map((group) => group.name),
      guards: manifest.guards,
    },
    fingerprint: prepared.fingerprint,
    plan: prepared.plan,
    verdict: prepared.verdict,
  };
}
