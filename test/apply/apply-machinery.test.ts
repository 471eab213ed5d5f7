import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ApplyEvent, RemovalResult } from "../../src/apply/apply-plan.js";
import type { AuditEntry } from "../../src/apply/audit-log.js";
import { subscribeAudit } from "../../src/apply/audit-subscription.js";
import { eventHub } from "../../src/apply/event-hub.js";
import { INTERRUPT_SIGNALS, onInterrupt, type SignalSource } from "../../src/apply/interrupts.js";
import type { Removal } from "../../src/plan/plan.js";

const removal = (n: number): Removal => ({
  action: "remove",
  id: `id-${n}`,
  email: `user${n}@example.com`,
  user_status: "enabled",
  last_sign_in_at: null,
  record_type: "organization_sub_user",
  created_at: null,
  groups: [],
});
const summary = { removed: 0, already_absent: 0, failed: 0, unknown: 0, not_started: 0 };
const finished = (n: number): ApplyEvent => {
  const result: RemovalResult = {
    removal: removal(n),
    outcome: "removed",
    status: 200,
    attempts: 1,
    finishedAt: "2026-11-28T00:00:00.000Z",
  };
  return { type: "finished", result, summary };
};

test("a view that subscribes late still sees every event, in order, then the new ones", () => {
  const hub = eventHub();
  hub.emit({ type: "start", total: 2, concurrency: 1 });
  hub.emit({ type: "sent", removal: removal(1) });
  const seen: string[] = [];
  const unsubscribe = hub.subscribe((event) => seen.push(event.type));
  hub.emit(finished(1));
  unsubscribe();
  hub.emit(finished(2));
  assert.equal(seen, ["start", "sent", "finished"]);
});

test("every finished removal gets its audit line; one that cannot be written stops the run, with its record", () => {
  const hub = eventHub();
  const written: AuditEntry[] = [];
  const log = {
    path: "audit.jsonl",
    closed: false,
    write(entry: AuditEntry) {
      if (written.length === 1) throw Object.assign(new Error("no space"), { code: "ENOSPC" });
      written.push(entry);
    },
    close() {
      this.closed = true;
    },
  };
  const lost: AuditEntry[] = [];
  const audit = subscribeAudit(hub, log as never, (entry) => lost.push(entry));
  hub.emit(finished(1));
  assert.is(audit.failure, undefined, "no failure while lines are written");
  hub.emit(finished(2));
  assert.equal(
    written.map((e) => e.email),
    ["user1@example.com"],
  );
  assert.equal(
    lost.map((e) => e.email),
    ["user2@example.com"],
    "the record that could not be written is handed back",
  );
  assert.match(audit.failure ?? "", "cannot append to the audit log audit.jsonl: the disk is full");
  audit.close();
  assert.ok(log.closed, "the log is closed");
});

test("exiting at once records each removal still in flight as unknown, and counts them", () => {
  const hub = eventHub();
  const written: AuditEntry[] = [];
  const audit = subscribeAudit(
    hub,
    { path: "a", write: (e: AuditEntry) => written.push(e), close() {} } as never,
    () => {},
  );
  hub.emit({ type: "sent", removal: removal(1) });
  hub.emit({ type: "sent", removal: removal(2) });
  hub.emit({ type: "sent", removal: removal(3) });
  hub.emit(finished(1));
  hub.emit({ type: "not_started", removal: removal(3) });
  assert.is(audit.abandon("2026-11-28T00:00:01.000Z"), 1);
  assert.equal(
    written.map((e) => `${e.email} ${e.outcome}`),
    ["user1@example.com removed", "user2@example.com unknown"],
  );
});

/** A stand-in for the process's signals: the test raises them. */
function signals() {
  const handlers = new Map<string, () => void>();
  const source: SignalSource = {
    on: (signal, handler) => handlers.set(signal, handler),
    off: (signal) => handlers.delete(signal),
  };
  return { source, raise: (signal: string) => handlers.get(signal)?.(), listening: () => [...handlers.keys()].sort() };
}

test("the first signal stops new removals; a second (of any kind) records those in flight and exits at once with 130", () => {
  const { source, raise, listening } = signals();
  const said: string[] = [];
  const calls: string[] = [];
  const stopListening = onInterrupt(
    {
      say: (text) => said.push(text.trim()),
      stop: () => calls.push("stop"),
      abandon: () => {
        calls.push("abandon");
        return 2;
      },
      exit: (code) => calls.push(`exit ${code}`),
    },
    130,
    source,
  );
  assert.equal(listening(), [...INTERRUPT_SIGNALS].sort(), "SIGINT, SIGTERM and SIGHUP all interrupt");
  raise("SIGHUP");
  assert.equal(calls, ["stop"]);
  assert.match(said[0]!, "Interrupted: no new removal will start");
  raise("SIGINT");
  assert.equal(calls, ["stop", "abandon", "exit 130"]);
  assert.is(said[1], "Exiting at once. 2 removals in flight may or may not have happened; run roster plan.");
  stopListening();
  assert.equal(listening(), [], "no handler is left behind");
});

test.run();
