import type { ApplyResult } from "../apply/apply-plan.js";
import { resultLine, summaryLines } from "../render/apply-lines.js";
import { linesToText } from "../render/lines.js";
import { write, type Io } from "../terminal/io.js";
import { describeOutputFailure, type OutputFailure } from "../terminal/output-watch.js";

/**
 * Whether the preview (or the question) could not be written: then nothing is applied, since nobody may have
 * seen what would be removed. Says so on stderr when stderr still works.
 */
export async function previewLost(io: Io): Promise<boolean> {
  const [failure] = (await io.output?.settled()) ?? [];
  if (!failure) return false;
  io.output!.reported = true;
  write(
    io.stderr,
    `roster: error: ${describeOutputFailure(failure)}: the plan could not be shown, so nothing was applied. Nothing ` +
      `was changed.\n`,
    io.env,
  );
  return true;
}

/**
 * After output failed during apply: no further removal was started, and every result that may not have
 * reached stdout is written to stderr (when stderr still works), with the summary. The audit log has them all.
 */
export function reportLostOutput(
  failure: OutputFailure,
  result: ApplyResult,
  total: number,
  verifiedText: string,
  io: Io,
): void {
  io.output!.reported = true;
  if (io.output!.failed("stderr")) return;
  const stopped = result.stoppedBy ? "no further removal was started; " : "";
  write(io.stderr, `roster: error: ${describeOutputFailure(failure)}: ${stopped}the results follow here.\n`, io.env);
  if (!io.output!.failed("stdout")) return;
  write(io.stderr, linesToText([...result.results.map(resultLine), ...summaryLines(result, total)]), io.env);
  if (verifiedText) write(io.stderr, verifiedText, io.env);
}
