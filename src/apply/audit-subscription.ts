import { writeProblem } from "../files/file-error.js";
import type { Removal } from "../plan/plan.js";
import { accountOf } from "./apply-run.js";
import type { ApplyEvent } from "./apply-plan.js";
import { auditEntry, unknownEntry, type AuditEntry, type AuditLog } from "./audit-log.js";
import type { EventHub } from "./event-hub.js";

/** The removals sent and not finished, and the audit log they are recorded in as they finish. */
export interface AuditSubscription {
  /** Why the log could not be written, once it could not: no further removal may start. */
  readonly failure: string | undefined;
  /** Records every removal still in flight as `unknown` (roster is exiting at once); returns how many. */
  abandon(time: string): number;
  /** Stops listening and closes the log (synced once). */
  close(): void;
}

/**
 * Follows the executor's events: keeps the removals in flight, and appends each finished removal to the
 * audit log (when there is one) as it finishes, with its account's id in a run across accounts. A line that
 * cannot be written stops the run through `onFailure`, with the record that could not be written: a removal
 * the log cannot record must not be followed by more.
 */
export function subscribeAudit(
  hub: EventHub,
  log: Pick<AuditLog, "path" | "write" | "close"> | undefined,
  onFailure: (entry: AuditEntry) => void,
): AuditSubscription {
  // Keyed by account and user: two organizations' user ids are not known to differ.
  const inFlight = new Map<string, { removal: Removal; account: string | undefined }>();
  const keyOf = (account: string | undefined, removal: Removal) => `${account ?? ""}\u0000${removal.id}`;
  let failure: string | undefined;
  const unsubscribe = hub.subscribe((event: ApplyEvent) => {
    const account = accountOf(event);
    if (event.type === "sent") inFlight.set(keyOf(account, event.removal), { removal: event.removal, account });
    if (event.type === "not_started") inFlight.delete(keyOf(account, event.removal));
    if (event.type !== "finished") return;
    inFlight.delete(keyOf(account, event.result.removal));
    if (!log) return;
    const entry = auditEntry(event.result, account);
    try {
      log.write(entry);
    } catch (error) {
      failure ??=
        `cannot append to the audit log ${log.path}: ` +
        `${writeProblem((error as NodeJS.ErrnoException).code, log.path)}: no further removal was started`;
      onFailure(entry);
    }
  });
  return {
    get failure() {
      return failure;
    },
    abandon(time) {
      try {
        for (const { removal, account } of inFlight.values()) log?.write(unknownEntry(removal, time, account));
      } catch {
        // Exiting anyway: the message that follows still names how many are unknown.
      }
      return inFlight.size;
    },
    close() {
      unsubscribe();
      log?.close();
    },
  };
}
