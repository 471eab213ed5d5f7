import { plural } from "../core/plural.js";
import { sanitize } from "../core/safe-text.js";
import { checkGuards } from "../plan/guards.js";
import { OWN_ACCOUNT } from "../core/managed-account.js";
import { parseSavedRun, planSeal, readPlanFile } from "../plan/load-saved-plan.js";
import type { SavedRun } from "../plan/saved-plan.js";
import type { ShowFormat } from "../render/plan-formats.js";
import type { RunView } from "../render/run-plan.js";
import { write, type Io } from "../terminal/io.js";
import { atWidth } from "../session/at-width.js";
import { showPlan } from "../session/show-plan.js";

export interface ShowOptions {
  /** A plan saved by `roster plan --out`, of one organization or across accounts. */
  planFile: string;
  format: ShowFormat;
  /** Page a preview longer than the terminal (the default; --no-pager turns it off). */
  pager?: boolean;
}

/**
 * Shows a saved plan as `roster plan` shows a plan, every removal included, from the file alone: no key
 * needed, no request made. Every check of the file but its seal is made, as apply makes it (a plan that does
 * not agree with itself is refused with exit 1); the seal is checked when TELNYX_API_KEY is set and said on
 * stderr, with a warning when apply would refuse the plan for it. The exit code is 0 either way, as for
 * validate's warnings: show reads and changes nothing.
 */
export async function showCommand(options: ShowOptions, io: Io): Promise<number> {
  const apiKey = io.env.TELNYX_API_KEY ?? "";
  const text = await readPlanFile(options.planFile);
  const loaded = parseSavedRun(text, options.planFile, apiKey, { requireSeal: false });
  const seal = planSeal(text, apiKey);
  // At a terminal, the lines roster writes itself are wrapped at words, as the preview's are.
  if (options.format === "pretty")
    write(io.stdout, `${atWidth(savedPlanHeading(options.planFile, loaded), io)}\n\n`, io.env);
  await showPlan(savedRunView(loaded), options.format, io, { pager: options.pager !== false });
  write(io.stderr, atWidth(sealNote(seal, options.planFile), io), io.env);
  return 0;
}

/** The line above a saved plan's pretty text: which file, when and where it was made, from which manifest. */
function savedPlanHeading(file: string, loaded: SavedRun): string {
  const made = `made ${loaded.createdAt} against ${loaded.apiHost}`;
  const from =
    loaded.shape === "accounts"
      ? `across ${plural(loaded.targets.length, "account")}`
      : `from the manifest ${loaded.targets[0]!.saved.manifest.path}`;
  return sanitize(`Saved plan ${file}: ${made}, ${from}.`);
}

/**
 * What the seal says, on stderr: good; sealed for another key (or altered), which apply refuses; or not
 * checked without the key. Never the key itself.
 */
export function sealNote(seal: ReturnType<typeof planSeal>, file: string): string {
  const name = sanitize(file);
  switch (seal) {
    case "good":
      return (
        `roster: the seal of ${name} is good: roster saved it with this API key, and it has not been changed ` +
        `since.\n`
      );
    case "mismatch":
      return (
        `roster: warning: ${name} was sealed for another API key, or altered after roster saved it (its seal does not ` +
        `match TELNYX_API_KEY): ` +
        `roster apply ${name} will refuse it. Shown as the file says; make the plan again with roster plan --out to ` +
        `apply it.\n`
      );
    case "unchecked":
      return (
        `roster: note: the seal of ${name} was not checked: TELNYX_API_KEY is not set, and the seal can be ` +
        `checked only with the key the plan was made with.\n`
      );
  }
}

/**
 * A saved plan as plan shows one: every organization in the file's order, the guards as apply PLAN checks them without
 * flags.
 */
function savedRunView(saved: SavedRun): RunView {
  const accounts = saved.targets.map(({ account, saved: plan }) => ({
    account: account ?? OWN_ACCOUNT,
    plan: plan.plan,
    verdict: checkGuards(plan.plan, plan.manifest.guards),
    source: { manifest: plan.manifest.path, host: saved.apiHost },
  }));
  return { shape: saved.shape, accounts, skipped: [], manifests: accounts.length };
}
