/** Statuses worth another attempt: the request may succeed if sent again later. */
export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** A 429 is the API asking to wait, not a failure: it does not use up --max-retries, up to this many per request. */
export const MAX_RATE_LIMITED = 20;

/** Where one request stands after some attempts: the counters the retry loop keeps. */
export interface AttemptState {
  /** Failures that use up --max-retries: network errors and retryable statuses other than 429. */
  failures: number;
  /** 429s so far, counted apart: they do not use up --max-retries. */
  rateLimited: number;
  /** An earlier attempt may have reached the server and done the work (timeout, cut connection, 5xx). */
  ambiguousEarlier: boolean;
}

/** How one attempt ended: an answer's status, or no answer (as networkFailure words it). */
export type AttemptOutcome = { kind: "answer"; status: number } | { kind: "network"; notSent: boolean; retry: boolean };

/** What the retry loop does next, with the counters after this attempt. */
export type AnswerMeaning =
  /** The key is refused: the whole run stops. */
  | { kind: "halt"; state: AttemptState }
  /** The answer is final (a success, or an error not worth repeating, or retries used up). */
  | { kind: "return"; state: AttemptState }
  /** No answer, and none worth waiting for: throw the network error. */
  | { kind: "fail"; state: AttemptState }
  /** Send again after a wait: the rate limit's (429) or the backoff's. */
  | { kind: "retry"; state: AttemptState; wait: "rate-limit" | "backoff" };

export const FIRST_ATTEMPT: AttemptState = { failures: 0, rateLimited: 0, ambiguousEarlier: false };

/**
 * The one place that decides what an attempt's outcome means for a request: pure, so each rule is tested on
 * plain values. A timeout, a cut connection or a 5xx on anything but a GET may come after the API did the
 * work: later attempts are then ambiguous, and a 404 after them is the removal having happened.
 */
export function answerMeaning(
  method: string,
  state: AttemptState,
  outcome: AttemptOutcome,
  maxRetries: number,
): AnswerMeaning {
  if (outcome.kind === "network") {
    const next = {
      ...state,
      failures: state.failures + 1,
      ambiguousEarlier: state.ambiguousEarlier || (method !== "GET" && !outcome.notSent),
    };
    // A name that does not resolve or a certificate that is not trusted will not get better: no retry.
    if (!outcome.retry || next.failures > maxRetries) return { kind: "fail", state: next };
    return { kind: "retry", state: next, wait: "backoff" };
  }
  const { status } = outcome;
  if (status === 401) return { kind: "halt", state };
  if (!RETRYABLE_STATUS.has(status)) return { kind: "return", state };
  if (status === 429) {
    const next = { ...state, rateLimited: state.rateLimited + 1 };
    return next.rateLimited > MAX_RATE_LIMITED
      ? { kind: "return", state: next }
      : { kind: "retry", state: next, wait: "rate-limit" };
  }
  const next = { ...state, failures: state.failures + 1 };
  if (next.failures > maxRetries) return { kind: "return", state: next };
  // A 5xx may come from a gateway after the API did the work.
  if (method !== "GET" && status >= 500) next.ambiguousEarlier = true;
  return { kind: "retry", state: next, wait: "backoff" };
}
