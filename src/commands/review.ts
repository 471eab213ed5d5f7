import { resolve } from "node:path";
import { accountLabel } from "../core/managed-account.js";
import { jsonText, sanitize } from "../core/safe-text.js";
import { plural } from "../core/plural.js";
import { fileWriteError } from "../files/file-error.js";
import { blameManifest } from "../files/git-blame.js";
import { notRegularFile } from "../files/regular-file.js";
import { writeFileAtomic } from "../files/write-file-atomic.js";
import { reportMarkdown } from "../github/job-summary.js";
import { reviewOf } from "../plan/review.js";
import { reviewCsv } from "../render/review-csv.js";
import { reviewJson, reviewTotals, type ReviewView } from "../render/review-json.js";
import { reviewMarkdown, reviewSummaryMarkdown } from "../render/review-markdown.js";
import type { ReviewFormat } from "../render/plan-formats.js";
import type { ApiOptions } from "../targets/connect.js";
import { planClock, planTargets } from "../targets/plan-targets.js";
import { sayOnStderr } from "../terminal/messages.js";
import { write, type Io } from "../terminal/io.js";
import { acrossAccounts, readManifests } from "../manifest/read-manifests.js";

export interface ReviewOptions extends ApiOptions {
  files: string[];
  format: ReviewFormat;
  /** Write the review to this file (atomically) instead of stdout. */
  out?: string;
}

/**
 * Writes an access review of the organization (or of each managed account): planning, as `roster plan` does,
 * shown as one row a live user with who approved the manifest line that keeps it (git blame). Reads only:
 * it never sends a removal, and needs only read access.
 */
export async function reviewCommand(options: ReviewOptions, io: Io): Promise<number> {
  checkOut(options.out, options.files);
  const manifests = await readManifests(options.files);
  checkOut(
    options.out,
    manifests.map((manifest) => manifest.path),
  );
  const planned = await planTargets(
    { manifests, shape: acrossAccounts(manifests) ? "accounts" : "organization" },
    { ...options, guards: {}, clock: planClock(new Date()) },
    io,
  );
  try {
    const now = new Date();
    const blames = await Promise.all(planned.targets.map((target) => blameManifest(target.manifest!.path, io.env)));
    const accounts = planned.targets.map((target, index) => ({
      account: target.account,
      manifest: target.prepared.source.manifest,
      host: target.prepared.source.host,
      review: reviewOf({
        plan: target.prepared.plan,
        manifest: target.manifest!,
        liveUsers: target.liveUsers,
        blame: blames[index]!,
        now,
      }),
    }));
    const view: ReviewView = {
      shape: planned.shape,
      accounts,
      skipped: planned.skipped,
      manifests: planned.manifests,
      generatedAt: now.toISOString(),
      notes: [...new Set(accounts.flatMap((a) => a.review.notes))],
    };
    for (const note of view.notes) sayOnStderr(io, `roster: note: ${sanitize(note)}.\n`);
    // CSV has no place for them: every format's reader learns of the accounts not reviewed here too.
    for (const s of view.skipped)
      sayOnStderr(io, `roster: ${accountLabel(s.account)} was skipped, not reviewed: ${sanitize(s.reason)}.\n`);
    const text = render(view, options.format);
    if (options.out) {
      // Readable by its owner only: it lists people's emails, groups and sign-ins.
      await writeFileAtomic(options.out, text, { overwrite: true, mode: 0o600 });
      const users = plural(reviewTotals(view).users, "user");
      sayOnStderr(io, `Wrote the access review of ${users} to ${sanitize(options.out)}.\n`);
    } else {
      write(io.stdout, text, io.env);
    }
    reportMarkdown(io, "review", reviewTotals(view).remove, () => reviewSummaryMarkdown(view));
    return 0;
  } finally {
    planned.close();
  }
}

function render(view: ReviewView, format: ReviewFormat): string {
  switch (format) {
    case "json":
      return `${jsonText(reviewJson(view), 2)}\n`;
    case "csv":
      return reviewCsv(view);
    case "markdown":
      return reviewMarkdown(view);
  }
}

/** Refuses, before anything is read or written, an -o that is a manifest or not a file. */
function checkOut(out: string | undefined, manifests: readonly string[]): void {
  if (out === undefined) return;
  if (manifests.some((file) => resolve(out) === resolve(file))) {
    throw new Error(
      `-o ${out} is a manifest: write the review to another file, such as review.md. Nothing was written.`,
    );
  }
  const kind = notRegularFile(out);
  if (kind === "a folder") throw fileWriteError({ code: "EISDIR" }, out);
  if (kind) throw new Error(`-o ${out} is ${kind}, not a file: write the review to a file, such as review.md.`);
}
