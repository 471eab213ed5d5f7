import type { ApplyResult } from "./apply-plan.js";

/** apply's exit codes; the README's table of exit codes says the same. */
export const APPLY_EXIT = { ok: 0, error: 1, refused: 3, interrupted: 130 } as const;

/** Everything that decides how an apply that started removing ends. */
export interface ApplyEnd {
  result: Pick<ApplyResult, "summary" | "stoppedBy" | "fatal">;
  /** What reading the organization again found; undefined when it was not read (--no-verify, a stop). */
  verification?: { converged: boolean } | undefined;
  /** A line of the audit log could not be written. */
  auditFailure: boolean;
  /** stdout or stderr could not be written. */
  writeFailure: boolean;
  /** SIGINT, SIGTERM or SIGHUP stopped the run. */
  interrupted: boolean;
}

/**
 * The exit code of an apply, a pure function of what happened. A lost audit line is the worst news (the
 * record of who was removed is incomplete); then a stop the user asked for (130, even when the closed
 * terminal made the summary unwritable); then lost output, a stop for a refused key, a failed or uncertain
 * removal, a verification that failed or found users left: 1. Only a run that did all it planned, and was
 * verified when verification ran, exits 0.
 */
export function applyExitCode(end: ApplyEnd): number {
  const { result, verification } = end;
  if (end.auditFailure) return APPLY_EXIT.error;
  if (end.interrupted) return APPLY_EXIT.interrupted;
  if (end.writeFailure) return APPLY_EXIT.error;
  if (result.stoppedBy || result.fatal) return APPLY_EXIT.error;
  const { failed, not_started, unknown } = result.summary;
  if (failed > 0 || not_started > 0 || unknown > 0) return APPLY_EXIT.error;
  if (verification && !verification.converged) return APPLY_EXIT.error;
  return APPLY_EXIT.ok;
}
