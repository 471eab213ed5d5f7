import { render } from "ink-testing-library";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ApplyEvent, RemovalResult } from "../../src/apply/apply-plan.js";
import { ApplyView, type Subscribe } from "../../src/render/ink/ApplyView.js";

const removal = (id: string, email: string) => ({ action: "remove" as const, id, email, user_status: "enabled", last_sign_in_at: null, record_type: "organization_sub_user", created_at: null });
const finished = (id: string, email: string, outcome: RemovalResult["outcome"], error?: string): RemovalResult => ({
  removal: removal(id, email),
  outcome,
  attempts: 1,
  finishedAt: "2026-11-28T00:00:00Z",
  ...(error ? { error } : {}),
});

function source() {
  const listeners = new Set<(event: ApplyEvent) => void>();
  const subscribe: Subscribe = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return { subscribe, emit: (event: ApplyEvent) => listeners.forEach((l) => l(event)) };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 120));

test("progress counts finished removals live, then the rows stay and the summary replaces the counter", async () => {
  const events = source();
  const { lastFrame, unmount } = render(<ApplyView subscribe={events.subscribe} total={3} />);
  try {
    await tick();
    assert.is(lastFrame(), "Removing: 0 of 3 done (0 removed, 0 already absent, 0 failed)");
    const a = finished("1", "a@example.com", "removed");
    events.emit({ type: "finished", result: a, summary: { removed: 1, already_absent: 0, failed: 0, unknown: 0, not_started: 0 } });
    await tick();
    assert.is(lastFrame(), "  removed        a@example.com\nRemoving: 1 of 3 done (1 removed, 0 already absent, 0 failed)");
    const b = finished("2", "b@example.com", "already_absent");
    const c = finished("3", "c@example.com", "failed", "POST /organizations/users/3/actions/remove answered 500");
    const summary = { removed: 1, already_absent: 1, failed: 1, unknown: 0, not_started: 0 };
    events.emit({ type: "finished", result: b, summary: { ...summary, failed: 0 } });
    events.emit({ type: "finished", result: c, summary });
    events.emit({ type: "done", result: { summary, results: [a, b, c] } });
    await tick();
    const frame = lastFrame() ?? "";
    // In the test renderer's debug mode ink repeats <Static> rows between frames; a terminal shows each once.
    for (const row of ["  removed        a@example.com", "  already absent b@example.com", "  failed         c@example.com: POST /organizations/users/3/actions/remove answered 500"]) {
      assert.ok(frame.split("\n").includes(row), row);
    }
    assert.ok(frame.endsWith("\n\nApply complete: 1 removed, 1 already absent, 1 failed, of 3 planned removals."));
    assert.not.match(frame, "Removing:");
  } finally {
    unmount();
  }
});

test.run();
