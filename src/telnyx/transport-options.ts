import type { AnswerHeaders } from "./http-send.js";
import type { SocketPool } from "./socket-pool.js";

// What a client is made with, and what its transport hands back and reports: the types the endpoints, the
// client and the commands share, apart from the transport that sends.

/** Answers larger than this are not the API's (a page of 250 users is about 100 KB). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface ClientOptions {
  baseUrl: string;
  /** Where the base URL came from (--base-url, TELNYX_BASE_URL), for messages about it. */
  baseUrlSource?: string;
  apiKey: string;
  /**
   * The run's other keys (the manager's, every managed account's so far), kept out of error messages as this one is.
   */
  secrets?: () => readonly string[];
  /**
   * What a refused key (401) means, when the key is not TELNYX_API_KEY: a managed account's client names
   * its account here. AUTH_FAILED_MESSAGE by default.
   */
  authFailedMessage?: string;
  /** Per attempt, in milliseconds. */
  timeoutMs?: number;
  /** Attempts after the first one, for retryable failures. */
  maxRetries?: number;
  /** First backoff step in milliseconds; doubles each retry, capped at 8 s, with jitter. */
  backoffBaseMs?: number;
  /** Called before each retry, for progress and logs. */
  onRetry?: (event: RetryEvent) => void;
  /** Called when requests are held back on the clock, so a progress view can say what it waits for. */
  onWait?: (event: WaitEvent) => void;
  /** Once aborted, no new attempt starts (requests already sent are left to finish). */
  signal?: AbortSignal;
  /** Sockets kept open to the API, at least the concurrency of the run. */
  maxSockets?: number;
  /** Where the proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Keep-alive sockets shared with other clients of the same run (then `maxSockets` is the pool's). */
  sockets?: SocketPool;
}

/** One request about to be sent again, and why. */
export interface RetryEvent {
  method: string;
  path: string;
  attempt: number;
  reason: string;
  delayMs: number;
}

/**
 * Requests held back until `untilMs` (epoch milliseconds): the rate-limit window the answers told, a 429's
 * wait, or one request's backoff before a retry.
 */
export interface WaitEvent {
  reason: "rate limit" | "429" | "retry";
  untilMs: number;
}

/** An answer as the endpoints read it, with how many attempts it took. */
export interface ApiResponse {
  status: number;
  headers: AnswerHeaders;
  body: unknown;
  isApiJson: boolean;
  attempts: number;
  /** An earlier attempt may have reached the server and done the work (timeout, cut connection, 5xx). */
  ambiguousEarlier: boolean;
}

/**
 * One attempt's answer with what the attempts so far tell, written out rather than spread: V8 (Node 20) gives each
 * object spread from another a shape of its own once the place that spreads has made a few, and the code that reads
 * a run's 2,000 answers then finds each field the slowest way (docs/performance.md).
 */
export function apiResponse(
  sent: Omit<ApiResponse, "attempts" | "ambiguousEarlier">,
  attempts: number,
  ambiguousEarlier: boolean,
): ApiResponse {
  return {
    status: sent.status,
    headers: sent.headers,
    body: sent.body,
    isApiJson: sent.isApiJson,
    attempts,
    ambiguousEarlier,
  };
}
