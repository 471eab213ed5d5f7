import type { ApplyEvent, ApplyResult, RemovalResult } from "./apply-plan.js";

/** What requests are held back for, as the client reports it. */
export type WaitReason = "rate limit" | "429" | "retry";

/** Where an apply stands, folded from its events: what every progress view draws from. */
export interface ProgressState {
  total: number;
  /** When the executor started (epoch milliseconds); undefined before its `start` event. */
  startedAt: number | undefined;
  removed: number;
  already_absent: number;
  failed: number;
  /** Stopped while waiting to retry a removal that may have gone through. */
  unknown: number;
  notStarted: number;
  /** Removals sent and not finished yet. */
  inFlight: number;
  /** Requests sent again so far (after a 429, a 5xx, a timeout or a cut connection). */
  retries: number;
  /** The wait announced last that ends latest, while it may still be running. */
  waiting: { reason: WaitReason; untilMs: number } | undefined;
  /** The run was told to stop: no removal starts, those in flight finish. */
  stopping: boolean;
  /** The run's result, once the executor is done. */
  result: ApplyResult | undefined;
}

/** The figures a progress view shows, computed from the state at one moment. */
export interface ProgressFigures {
  total: number;
  /** Removals finished, whatever their outcome. */
  done: number;
  /** done / total, from 0 to 1. */
  fraction: number;
  elapsedMs: number;
  /**
   * Removals finished a second over the run so far (over at least its first second); undefined until one has finished.
   */
  rate: number | undefined;
  /** Time left at that rate for the removals not finished; undefined until a rate is known. */
  etaMs: number | undefined;
  inFlight: number;
  retries: number;
  /** What requests are held back for and how much longer, while they are. */
  waiting: { reason: WaitReason; ms: number } | undefined;
  /** The run was told to stop: what is left is the removals in flight, not the run's time left. */
  stopping: boolean;
}

export function initialProgress(total: number): ProgressState {
  return {
    total,
    startedAt: undefined,
    removed: 0,
    already_absent: 0,
    failed: 0,
    unknown: 0,
    notStarted: 0,
    inFlight: 0,
    retries: 0,
    waiting: undefined,
    stopping: false,
    result: undefined,
  };
}

/**
 * The state after one event, at time `now`. Pure: the views keep the state and call this per event. Retries
 * and waits reported before the executor started (while the organization was read) are not the apply's.
 */
export function foldProgress(state: ProgressState, event: ApplyEvent, now: number): ProgressState {
  switch (event.type) {
    case "start":
      return { ...state, total: event.total, startedAt: now };
    case "sent":
      return { ...state, inFlight: state.inFlight + 1 };
    case "not_started":
      return { ...state, notStarted: state.notStarted + 1 };
    case "finished": {
      const outcome = event.result.outcome;
      return { ...state, [outcome]: state[outcome] + 1, inFlight: Math.max(0, state.inFlight - 1) };
    }
    case "stopping":
      return state.stopping ? state : { ...state, stopping: true };
    case "done":
      return { ...state, inFlight: 0, waiting: undefined, result: event.result };
    case "retrying":
      return state.startedAt === undefined ? state : { ...state, retries: state.retries + 1 };
    case "waiting": {
      if (state.startedAt === undefined || event.untilMs <= now) return state;
      const current = state.waiting;
      if (current && current.untilMs > now && current.untilMs >= event.untilMs) return state;
      return { ...state, waiting: { reason: event.reason, untilMs: event.untilMs } };
    }
  }
}

/** The shortest span a rate is taken over. */
const RATE_MIN_SPAN_MS = 1_000;

/** The figures at time `now`: elapsed time, rate, time left, the wait still running. */
export function progressFigures(state: ProgressState, now: number): ProgressFigures {
  const done = state.removed + state.already_absent + state.failed + state.unknown;
  const elapsedMs = state.startedAt === undefined ? 0 : Math.max(0, now - state.startedAt);
  // Over at least a second: the first window of a rate limit is served at once, and a rate taken from its
  // first 40 ms would promise hundreds a second.
  const rate = done > 0 ? done / (Math.max(elapsedMs, RATE_MIN_SPAN_MS) / 1000) : undefined;
  const left = Math.max(0, state.total - done - state.notStarted);
  const etaMs = rate === undefined ? undefined : (left / rate) * 1000;
  const waiting =
    state.waiting && state.waiting.untilMs > now
      ? { reason: state.waiting.reason, ms: state.waiting.untilMs - now }
      : undefined;
  return {
    total: state.total,
    done,
    fraction: state.total > 0 ? Math.min(1, done / state.total) : 1,
    elapsedMs,
    rate,
    etaMs,
    inFlight: state.inFlight,
    retries: state.retries,
    waiting,
    stopping: state.stopping,
  };
}

/**
 * Up to this many removals, every finished one gets its own line; above it the terminal lists only the
 * failures and a log gets a progress line now and then (the audit log and `--format json` keep every one).
 */
export const ROW_BY_ROW_MAX = 100;

/** Whether a finished removal gets its own line while the run goes on. */
export function showsRow(total: number, result: RemovalResult): boolean {
  return total <= ROW_BY_ROW_MAX || result.outcome === "failed";
}

/** A log line at most this often, unless a tenth more of the removals finished since the last one. */
export const LOG_EVERY_MS = 5_000;

/** When a progress line was last written to a log, and how many removals had finished then. */
export interface LogMark {
  atMs: number;
  done: number;
}

/**
 * Whether a log (no terminal) gets a progress line now: when another tenth of the removals finished since
 * the last line, or 5 s passed. A run of any size writes about ten lines plus one per 5 s.
 */
export function logLineDue(last: LogMark, now: number, done: number, total: number): boolean {
  if (done >= total && last.done >= total) return false;
  const tenth = (count: number) => Math.floor((count * 10) / Math.max(total, 1));
  return tenth(done) > tenth(last.done) || now - last.atMs >= LOG_EVERY_MS;
}
