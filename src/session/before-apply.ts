import { APPLY_EXIT } from "../apply/exit-code.js";
import { applyDocument, applyQuestion, nothingToApplyText, refusedText } from "../render/apply-report.js";
import type { PlanFormat } from "../render/plan-formats.js";
import { accountsSummary, type RunView } from "../render/run-plan.js";
import { write, writeJson, type Io } from "../terminal/io.js";
import type { ApplyReport } from "./apply-report.js";
import { askToApply } from "./ask-to-apply.js";
import { previewLost } from "./lost-output.js";
import { previewShowsVerdict } from "./show-plan.js";

/**
 * Whether apply stops before sending anything, and its exit code if so (undefined to go on): nothing to do, a
 * guard refuses (one refusal refuses the whole run), the plan could not be shown, or nobody said yes (asked
 * only when `ask`). The last moment to stop with nothing changed: the preview and the question were written.
 */
export async function stopBeforeApplying(
  view: RunView,
  options: { format: PlanFormat; ask: boolean },
  report: ApplyReport,
  io: Io,
): Promise<number | undefined> {
  if (accountsSummary(view).remove === 0) {
    report(nothingToApplyText(view));
    if (options.format === "json") writeJson(io.stdout, applyDocument(view, undefined, undefined), io.env);
    else write(io.stdout, `\n${nothingToApplyText(view)}\n`, io.env);
    return APPLY_EXIT.ok;
  }
  if (view.accounts.some((a) => !a.verdict.allowed)) {
    // At a terminal the preview shows each refusal already; logs and CI get it on stderr too.
    const refused = refusedText(view, previewShowsVerdict(options.format, io));
    report(refused.closing);
    write(io.stderr, refused.stderr, io.env);
    return APPLY_EXIT.refused;
  }
  if (await previewLost(io)) return APPLY_EXIT.error;
  if (options.ask) {
    const stop = await askToApply(io, applyQuestion(view), report);
    if (stop !== undefined) return stop;
  }
  if (await previewLost(io)) return APPLY_EXIT.error;
  return undefined;
}
