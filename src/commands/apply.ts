import { closeSync, openSync, writeSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { canPrompt, isInteractive, write, type Io } from "../cli/io.js";
import { applyPlan, type ApplyEvent, type ApplyResult, type RemovalResult } from "../apply/apply-plan.js";
import { loadManifest } from "../manifest/load-manifest.js";
import { countRemovable } from "../plan/rules.js";
import { linesToText, plural } from "../render/lines.js";
import { resultLine, summaryLines } from "../render/apply-lines.js";
import { sanitize } from "../render/sanitize.js";
import { readOrganization } from "../telnyx/read-organization.js";
import { connect, type ApiOptions } from "./connect.js";
import { preparePlan, prepareSavedPlan, type GuardFlags } from "./prepare-plan.js";
import { showPlan, type PlanFormat } from "./show-plan.js";

export interface ApplyOptions extends ApiOptions {
  file: string;
  /** A plan saved by `roster plan --out`: apply exactly its removals, without the manifest and without a question. */
  planFile?: string;
  format: PlanFormat;
  yes: boolean;
  guards: GuardFlags;
  /** Append one JSON line per finished removal to this file. */
  auditLog?: string;
  /** Read the organization again afterwards and report whether it converged. */
  verify: boolean;
}

export const APPLY_EXIT = { ok: 0, error: 1, refused: 3, interrupted: 130 } as const;

/**
 * Plans afresh (or takes a saved plan), shows the plan, checks the guards, asks, removes, verifies. A saved
 * plan is not asked about: saving it and applying it are the two steps of a review, as with Terraform.
 */
export async function applyCommand(options: ApplyOptions, io: Io): Promise<number> {
  // Bad input is refused before any request: the manifest, or the saved plan (whose checks load only when needed).
  const input = options.planFile
    ? { saved: await (await import("../plan/load-saved-plan.js")).loadSavedPlan(options.planFile) }
    : { manifest: await loadManifest(options.file) };
  const interrupt = new AbortController();
  const client = connect(options, io, {
    signal: interrupt.signal,
    onRetry: (event) => {
      if (options.format !== "json" && !isInteractive(io)) {
        write(io.stderr, `retrying ${event.method} ${event.path.split("?")[0]} (attempt ${event.attempt}) after ${sanitize(event.reason)} in ${(event.delayMs / 1000).toFixed(1)} s\n`, io.env);
      }
    },
  });
  try {
    const { plan, verdict, rules, source } = input.saved
      ? await prepareSavedPlan(input.saved, client, options.concurrency, options.guards)
      : await preparePlan(input.manifest, client, options.concurrency, options.guards);
    const json = options.format === "json";
    if (!json) await showPlan(plan, verdict, source, options.format, io);

    if (plan.summary.remove === 0) {
      if (json) write(io.stdout, JSON.stringify(applyJson(emptyResult(), undefined), null, 2) + "\n", io.env);
      else write(io.stdout, "\nNothing to apply: the organization already matches the manifest.\n", io.env);
      return APPLY_EXIT.ok;
    }
    if (!verdict.allowed) {
      write(io.stderr, `roster: refused: ${verdict.message}\nNothing was changed.\n`, io.env);
      return APPLY_EXIT.refused;
    }
    if (!options.yes && !input.saved) {
      if (!canPrompt(io)) {
        write(io.stderr, "roster: refusing to apply without confirmation: no terminal to ask at. Review the plan, then pass --yes to apply unattended. Nothing was changed.\n", io.env);
        return APPLY_EXIT.error;
      }
      if (!(await confirm(io, plan.summary.remove, client.host))) {
        write(io.stderr, "Apply cancelled: nothing was changed.\n", io.env);
        return APPLY_EXIT.error;
      }
    }

    const hub = eventHub();
    const audit = options.auditLog ? openAuditLog(options.auditLog) : undefined;
    if (audit) hub.subscribe((event) => event.type === "finished" && audit.record(event.result));
    const view = json ? undefined : await startProgressView(hub, plan.summary.remove, io);
    const stopSignals = onInterrupt(io, () => interrupt.abort());
    let result: ApplyResult;
    try {
      result = await applyPlan(plan, rules, client, { concurrency: options.concurrency, onEvent: hub.emit, signal: interrupt.signal });
    } finally {
      stopSignals();
      audit?.close();
    }
    await view?.finished;

    let verification: Verification | undefined;
    if (options.verify && !result.stoppedBy) {
      const remaining = countRemovable(await readOrganization(client, { concurrency: options.concurrency }), rules);
      verification = { converged: remaining === 0, remaining };
      if (!json) {
        write(
          io.stdout,
          verification.converged
            ? "Verified: the organization now matches the manifest.\n"
            : `Not converged: ${plural(remaining, "user")} the manifest does not list ${remaining === 1 ? "is" : "are"} still in the organization; run roster apply again.\n`,
          io.env,
        );
      }
    }
    if (json) write(io.stdout, JSON.stringify(applyJson(result, verification), null, 2) + "\n", io.env);
    if (result.fatal) write(io.stderr, `roster: error: ${sanitize(result.fatal.message)}\n`, io.env);
    if (result.stoppedBy === "interrupt") return APPLY_EXIT.interrupted;
    if (result.fatal || result.summary.failed > 0) return APPLY_EXIT.error;
    return APPLY_EXIT.ok;
  } finally {
    client.close();
  }
}

interface Verification {
  converged: boolean;
  remaining: number;
}

function emptyResult(): ApplyResult {
  return { summary: { removed: 0, already_absent: 0, failed: 0, not_started: 0 }, results: [] };
}

/** The apply result as `--format json` prints it. */
export function applyJson(result: ApplyResult, verification: Verification | undefined) {
  const { removed, already_absent, failed, not_started } = result.summary;
  return {
    summary: { removed, already_absent, failed, ...(not_started > 0 ? { not_started } : {}) },
    results: result.results.map((r) => ({
      id: r.removal.id,
      email: r.removal.email,
      outcome: r.outcome,
      ...(r.error !== undefined ? { error: r.error } : {}),
    })),
    ...(result.stoppedBy ? { stopped_by: result.stoppedBy } : {}),
    ...(verification ? { verified: verification } : {}),
  };
}

async function confirm(io: Io, count: number, host: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    write(io.stdout, `\nDo you want to remove ${plural(count, "user")} from the organization at ${host}?\n  Only 'yes' will be accepted to approve.\n\n`, io.env);
    const answer = await rl.question("  Enter a value: ");
    write(io.stdout, "\n", io.env);
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}

interface EventHub {
  emit(event: ApplyEvent): void;
  /** Replays the events so far, then delivers new ones, so a late subscriber misses nothing. */
  subscribe(listener: (event: ApplyEvent) => void): () => void;
}

function eventHub(): EventHub {
  const history: ApplyEvent[] = [];
  const listeners = new Set<(event: ApplyEvent) => void>();
  return {
    emit(event) {
      history.push(event);
      for (const listener of listeners) listener(event);
    },
    subscribe(listener) {
      for (const event of history) listener(event);
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Progress as removals finish: the ink view at a terminal, one plain line each in logs. */
async function startProgressView(hub: EventHub, total: number, io: Io): Promise<{ finished: Promise<void> }> {
  write(io.stdout, "\n", io.env);
  if (isInteractive(io)) {
    const { renderApplyProgress } = await import("../render/ink/render-apply.js");
    return { finished: renderApplyProgress(hub.subscribe, total, io.stdout) };
  }
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  hub.subscribe((event) => {
    if (event.type === "finished") write(io.stdout, linesToText([resultLine(event.result)]), io.env);
    if (event.type === "done") {
      write(io.stdout, linesToText(summaryLines(event.result, total)), io.env);
      done();
    }
  });
  return { finished };
}

/** The first SIGINT or SIGTERM stops new removals; a second exits at once. */
function onInterrupt(io: Io, stop: () => void): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count > 1) process.exit(APPLY_EXIT.interrupted);
    write(io.stderr, "\nInterrupted: no new removal will start; waiting for those in flight (press Ctrl-C again to exit at once).\n", io.env);
    stop();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/**
 * The audit log: one JSON line per finished removal, appended with a direct write as each finishes, so a
 * crash loses no finished removal's record and earlier lines are never touched.
 */
function openAuditLog(path: string) {
  const fd = openSync(path, "a", 0o600);
  return {
    record(result: RemovalResult) {
      const { removal } = result;
      const entry = {
        time: result.finishedAt,
        id: removal.id,
        email: removal.email,
        user_status: removal.user_status,
        record_type: removal.record_type,
        created_at: removal.created_at,
        last_sign_in_at: removal.last_sign_in_at,
        outcome: result.outcome,
        http_status: result.status ?? null,
        attempts: result.attempts,
        ...(result.error !== undefined ? { error: result.error } : {}),
      };
      writeSync(fd, JSON.stringify(entry) + "\n");
    },
    close() {
      closeSync(fd);
    },
  };
}
