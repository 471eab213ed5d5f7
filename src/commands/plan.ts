import { resolve } from "node:path";
import { write, type Io } from "../terminal/io.js";
import { fileWriteError } from "../files/file-error.js";
import { notRegularFile } from "../files/regular-file.js";
import { writeFileAtomic } from "../files/write-file-atomic.js";
import { normalizeEmail } from "../core/email.js";
import type { LoadedManifest } from "../manifest/load-manifest.js";
import { accountsMarkdown, accountsSummary } from "../render/accounts-plan.js";
import { reportMarkdown } from "../github/job-summary.js";
import { accountsView, prepareAccounts } from "./prepare-accounts.js";
import { acrossAccounts, readManifests } from "./read-manifests.js";
import { savedPlanText, type SavedPlan } from "../plan/saved-plan.js";
import { savedAccountsPlanText } from "../plan/saved-accounts-plan.js";
import { reportPlan } from "../github/job-summary.js";
import { sanitize } from "../core/safe-text.js";
import { plural } from "../core/plural.js";
import { connect, type ApiOptions } from "./connect.js";
import type { GuardOptions } from "../plan/guards.js";
import { preparePlan, type PreparedPlan } from "./prepare-plan.js";
import { showAccountsPlan, showPlan, type PlanFormat } from "./show-plan.js";

export interface PlanOptions extends ApiOptions {
  /** The manifests: one file, or several files and folders for a run across accounts. */
  files: string[];
  format: PlanFormat;
  detailedExitcode: boolean;
  guards: GuardOptions;
  /** Also save the plan to this file, for `roster apply FILE`. */
  out?: string;
}

/** Exit codes of `plan --detailed-exitcode`, as Terraform's. */
export const PLAN_EXIT = { noChanges: 0, error: 1, changes: 2, refused: 3 } as const;

/** Shows what apply would do, and saves it with --out; changes nothing in the organization. */
export async function planCommand(options: PlanOptions, io: Io): Promise<number> {
  if (options.out !== undefined && options.files.some((file) => resolve(options.out!) === resolve(file))) {
    throw new Error(`--out ${options.out} is the manifest itself: save the plan to another file, such as plan.json. Nothing was changed.`);
  }
  const outKind = options.out === undefined ? undefined : notRegularFile(options.out);
  if (outKind === "a folder") throw fileWriteError({ code: "EISDIR" }, options.out!);
  if (outKind) throw new Error(`--out ${options.out} is ${outKind}, not a file: save the plan to a file, such as plan.json. Nothing was changed.`);
  const manifests = await readManifests(options.files);
  if (acrossAccounts(manifests)) return planAccountsCommand(manifests, options, io);
  const manifest = manifests[0]!;
  const client = connect(options, io);
  try {
    const prepared = await preparePlan(manifest, client, options.concurrency, options.guards);
    const { plan, verdict } = prepared;
    await showPlan(plan, verdict, prepared.source, options.format, io);
    reportPlan(io, plan, verdict, prepared.source);
    if (options.out) {
      // Readable by its owner only: it lists people's emails and statuses.
      await writeFileAtomic(options.out, savedPlanText(savedPlanOf(manifest, prepared, new Date()), io.env.TELNYX_API_KEY ?? ""), { overwrite: true, mode: 0o600 });
      write(io.stderr, `Saved the plan to ${sanitize(options.out)}: roster apply ${sanitize(options.out)} applies exactly these removals.\n`, io.env);
    }
    if (!options.detailedExitcode) return PLAN_EXIT.noChanges;
    if (!verdict.allowed) return PLAN_EXIT.refused;
    return plan.summary.remove > 0 ? PLAN_EXIT.changes : PLAN_EXIT.noChanges;
  } finally {
    client.close();
  }
}

/** plan across accounts: every account planned, shown together with the total; the worst exit code of them. */
async function planAccountsCommand(manifests: LoadedManifest[], options: PlanOptions, io: Io): Promise<number> {
  const prepared = await prepareAccounts(manifests, options, io);
  try {
    const view = accountsView(prepared);
    await showAccountsPlan(view, options.format, io);
    const total = accountsSummary(view);
    reportMarkdown(io, "plan", total.remove, () => accountsMarkdown(view));
    if (options.out) {
      if (prepared.accounts.length === 0) throw new Error(`no account could be read, so there is no plan to save to ${options.out}. Nothing was changed.`);
      const now = new Date();
      const saved = {
        createdAt: now.toISOString(),
        apiHost: prepared.accounts[0]!.prepared.source.host,
        // Each account by its id (never its key); a skipped account is not in the plan, so apply leaves it alone.
        accounts: prepared.accounts.map((a) => ({ account: a.own ? null : a.account, saved: savedPlanOf(a.manifest!, a.prepared, now) })),
      };
      await writeFileAtomic(options.out, savedAccountsPlanText(saved, io.env.TELNYX_API_KEY ?? ""), { overwrite: true, mode: 0o600 });
      const skipped = prepared.skipped.length > 0 ? ` (without the ${plural(prepared.skipped.length, "skipped account")})` : "";
      write(io.stderr, `Saved the plan of ${plural(prepared.accounts.length, "account")} to ${sanitize(options.out)}${skipped}: roster apply ${sanitize(options.out)} applies exactly these removals.\n`, io.env);
    }
    if (!options.detailedExitcode) return PLAN_EXIT.noChanges;
    if (total.refused > 0) return PLAN_EXIT.refused;
    return total.remove > 0 ? PLAN_EXIT.changes : PLAN_EXIT.noChanges;
  } finally {
    prepared.close();
  }
}

/** What `roster apply FILE` needs of this run: the plan, the manifest's rules and guards, the organization's fingerprint. */
function savedPlanOf(manifest: LoadedManifest, prepared: PreparedPlan, now: Date): SavedPlan {
  return {
    createdAt: now.toISOString(),
    apiHost: prepared.source.host,
    manifest: {
      path: manifest.path,
      sha256: manifest.sha256,
      desiredEmails: manifest.users.map((user) => normalizeEmail(user.email)).sort(),
      protect: manifest.protect,
      protectGroups: manifest.protectGroups.map((group) => group.name),
      guards: manifest.guards,
    },
    fingerprint: prepared.fingerprint,
    plan: prepared.plan,
    verdict: prepared.verdict,
  };
}
