import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import type { Removal } from "../plan/plan.js";
import { writeProblem } from "../files/file-error.js";
import { APPEND_NONBLOCK, fileKind } from "../files/regular-file.js";
import { jsonText } from "../core/safe-text.js";
import type { Outcome, RemovalResult } from "./apply-plan.js";

/** How a removal ended, as the audit log records it: "unknown" when roster exited with the request in flight. */
export type AuditOutcome = Outcome | "unknown";

/** One line of the audit log: a finished removal, with what an administrator needs to invite the user again. */
export interface AuditEntry {
  time: string;
  /** The managed account the user was removed from, in a run across accounts; absent for the key's own organization. */
  account_id?: string;
  id: string;
  email: string;
  user_status: string;
  record_type: string;
  created_at: string | null;
  last_sign_in_at: string | null;
  /** The user's groups when it was removed (null: the API did not say). */
  groups: string[] | null;
  outcome: AuditOutcome;
  http_status: number | null;
  attempts: number | null;
  error?: string;
}

/** The audit line of a finished removal (of the managed account `accountId`, in a run across accounts). */
export function auditEntry(result: RemovalResult, accountId?: string): AuditEntry {
  const entry = entryFor(
    result.removal,
    result.finishedAt,
    result.outcome,
    result.status ?? null,
    result.attempts,
    accountId,
  );
  if (result.error !== undefined) entry.error = result.error;
  return entry;
}

/** The audit line of a removal whose request was in flight when roster exited at once: it may have happened. */
export function unknownEntry(removal: Removal, time: string, accountId?: string): AuditEntry {
  const entry = entryFor(removal, time, "unknown", null, null, accountId);
  entry.error =
    "roster exited at once (second interrupt) with this removal in flight: it may or may not have happened; run " +
    "roster plan";
  return entry;
}

function entryFor(
  removal: Removal,
  time: string,
  outcome: AuditOutcome,
  status: number | null,
  attempts: number | null,
  accountId: string | undefined,
): AuditEntry {
  return {
    time,
    // Only in a run across accounts: a single organization's lines stay as they always were.
    ...(accountId !== undefined ? { account_id: accountId } : {}),
    id: removal.id,
    email: removal.email,
    user_status: removal.user_status,
    record_type: removal.record_type,
    created_at: removal.created_at,
    last_sign_in_at: removal.last_sign_in_at,
    // Whoever re-invites someone needs the groups to restore: Telnyx grants rights through them.
    groups: removal.groups,
    outcome,
    http_status: status,
    attempts,
  };
}

/**
 * The audit log file, opened for appending (O_APPEND): every line is one write(2) at the end of the file,
 * made as its removal finishes, so earlier lines are never touched and lines of two runs sharing a log never
 * mix. A written line is in the kernel's hands at once, so a crash or `kill -9` of roster loses none; it is
 * not fsync'ed line by line (that would cost a disk flush per removal and only protects against the whole
 * machine going down), but once when the log is closed.
 */
export class AuditLog {
  readonly path: string;
  readonly #fd: number;
  readonly #redact: (text: string) => string;

  private constructor(path: string, fd: number, redact: (text: string) => string) {
    this.path = path;
    this.#fd = fd;
    this.#redact = redact;
  }

  /** Opens (or creates, readable by its owner only) the log; `redact` is the last defence for the API key. */
  static open(path: string, redact: (text: string) => string = (text) => text): AuditLog {
    let fd: number;
    try {
      // Never blocking, and never anything but a regular file: a FIFO would swallow the lines (or block once
      // full), a device keeps nothing (/dev/null) or scrolls away (a terminal). The log is the record of who was
      // removed.
      fd = openSync(path, APPEND_NONBLOCK, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(`cannot open the audit log ${path}: ${writeProblem(code, path)}; nothing was changed`, {
        cause: error,
      });
    }
    const log = new AuditLog(path, fd, redact);
    try {
      const stats = fstatSync(fd);
      const kind = fileKind(stats);
      if (kind)
        throw new Error(
          `the audit log ${path} is ${kind}, not a file: give the path of a file to append to (it is created if ` +
            `missing); nothing was changed`,
        );
      // A line cut short by an earlier crash or a full disk must not swallow the first line of this run.
      const { size } = stats;
      const last = Buffer.alloc(1);
      if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) log.#append("\n");
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return log;
  }

  /** Appends one line; throws when it cannot be written (a full disk), so the caller can stop removing. */
  write(entry: AuditEntry): void {
    this.#append(`${this.#redact(jsonText(entry))}\n`);
  }

  close(): void {
    try {
      fsyncSync(this.#fd);
    } catch {
      // A disk that failed the lines fails the sync too: the failure was reported with the line.
    }
    closeSync(this.#fd);
  }

  #append(text: string): void {
    const bytes = Buffer.from(text, "utf8");
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.#fd, bytes, offset);
  }
}
