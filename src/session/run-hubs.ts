import type { ApplyEvent } from "../apply/apply-plan.js";
import type { AccountApplyEvent } from "../apply/apply-run.js";
import { eventHub, type EventHub } from "../apply/event-hub.js";

/**
 * The hubs of a run's events: every organization's (with its account's id) for the audit log, and the same as
 * one run for the progress view, each result with its account's name from `names` (across accounts: one email
 * may be a user of two accounts). The view hears the run's own start and done, not each organization's.
 */
export function runHubs(names: ReadonlyMap<string, string>): {
  auditHub: EventHub;
  viewHub: EventHub;
  forward(): void;
} {
  const auditHub = eventHub();
  const viewHub = eventHub();
  // Subscribed after the audit log (watchRun), so that each removal is in the log before it is shown: a run
  // killed between the two has shown nothing the log lacks.
  const forward = () =>
    auditHub.subscribe((event) => {
      const name = event.type === "finished" ? names.get((event as AccountApplyEvent).account_id) : undefined;
      if (event.type === "finished")
        viewHub.emit({ ...event, result: { ...event.result, ...(name !== undefined ? { account: name } : {}) } });
      else if (event.type !== "start" && event.type !== "done") viewHub.emit(event);
    });
  return { auditHub, viewHub, forward };
}

/** An event without the account's id it was tagged with: the key's own organization alone logs none, as ever. */
export function untagged(event: AccountApplyEvent): ApplyEvent {
  const { account_id: _, ...rest } = event;
  return rest as ApplyEvent;
}
