import { resolve } from "node:path";
import { write, type Io } from "../terminal/io.js";
import { fileWriteError } from "../files/file-error.js";
import { notRegularFile } from "../files/regular-file.js";
import { writeFileAtomic } from "../files/write-file-atomic.js";
import { normalizeEmail } from "../core/email.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { reportMarkdown } from "../github/job-summary.js";
import { accountsSummary } from "../render/run-plan.js";
import { runMarkdown } from "../render/run-markdown.js";
import { desiredExpiresOf, savedRunText, type SavedPlan } from "../plan/saved-plan.js";
import type { PreparedPlan } from "../plan/prepare.js";
import type { GuardOptions } from "../plan/guards.js";
import { sanitize } from "../core/safe-text.js";
import { plural } from "../core/plural.js";
import type { ApiOptions } from "../targets/connect.js";
import { planClock, planTargets, type PlannedTargets } from "../targets/plan-targets.js";
import { acrossAccounts, readManifests } from "../manifest/read-manifests.js";
import { runView, showPlan, type PlanFormat } from "../session/show-plan.js";

export interface PlanOptions extends ApiOptions {
  /** The manifests: one file, or several files and folders for a run across accounts. */
  files: string[];
  format: PlanFormat;
  detailedExitcode: boolean;
  guards: GuardOptions;
  /** Also save the plan to this file, for `roster apply FILE`. */
  out?: string;
  /** Page a preview longer than the terminal (the default; --no-pager turns it off). */
  pager?: boolean;
}

/** Exit codes of `plan --detailed-exitcode`, as Terraform's. */
export const PLAN_EXIT = { noChanges: 0, error: 1, changes: 2, refused: 3 } as const;

/**
 * Shows what apply would do, and saves it with --out; changes nothing in any organization. In order: read
 * the manifests, connect and plan each organization, show, report, save; the exit code is the worst of them.
 */
export async function planCommand(options: PlanOptions, io: Io): Promise<number> {
  checkOut(options);
  const manifests = await readManifests(options.files);
  const planned = await planTargets(
    { manifests, shape: acrossAccounts(manifests) ? "accounts" : "organization" },
    { ...options, clock: planClock(new Date()) },
    io,
  );
  try {
    const view = runView(planned);
    await showPlan(view, options.format, io, { pager: options.pager !== false });
    const total = accountsSummary(view);
    reportMarkdown(io, "plan", total.remove, () => runMarkdown(view));
    if (options.out) await savePlan(planned, options.out, io);
    if (!options.detailedExitcode) return PLAN_EXIT.noChanges;
    if (total.refused > 0) return PLAN_EXIT.refused;
    return total.remove > 0 ? PLAN_EXIT.changes : PLAN_EXIT.noChanges;
  } finally {
    planned.close();
  }
}

/** Refuses, before anything is read, an --out that is the manifest itself or not a file. */
function checkOut(options: PlanOptions): void {
  if (options.out === undefined) return;
  if (options.files.some((file) => resolve(options.out!) === resolve(file))) {
    throw new Error(
      `--out ${options.out} is the manifest itself: save the plan to another file, such as plan.json. Nothing was ` +
        `changed.`,
    );
  }
  const outKind = notRegularFile(options.out);
  if (outKind === "a folder") throw fileWriteError({ code: "EISDIR" }, options.out);
  if (outKind)
    throw new Error(
      `--out ${options.out} is ${outKind}, not a file: save the plan to a file, such as plan.json. Nothing was ` +
        `changed.`,
    );
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
