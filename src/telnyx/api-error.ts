/** How a request to the API failed, in the terms that decide what roster does next. */
export type ApiErrorKind =
  /** 401: the key is wrong; the whole run stops. */
  | "auth"
  /** The API answered with an error status. */
  | "http"
  /** No answer: connection refused or cut, DNS, timeout. */
  | "network"
  /** An answer that is not what the API sends (not JSON, missing fields). */
  | "shape"
  /** Refused before sending: a configuration roster will not use. */
  | "config"
  /** Stopped by an interruption before an answer came. */
  | "aborted";

/** A failed API request; its message is safe to show (no key, control characters removed by renderers). */
export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly attempts: number;
  /** An attempt may have reached the API and done the work (a timeout, a cut connection, a 5xx). */
  readonly mayHaveHappened: boolean;

  /** What to do about it, when the message does not say: added where the error ends the run, not to each user's row. */
  readonly advice: string | undefined;

  constructor(
    kind: ApiErrorKind,
    message: string,
    options: { status?: number; code?: string; attempts?: number; advice?: string; mayHaveHappened?: boolean } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.status = options.status;
    this.code = options.code;
    this.attempts = options.attempts ?? 1;
    this.mayHaveHappened = options.mayHaveHappened ?? false;
    this.advice = options.advice;
  }

  /** The message with the advice, for an error that ends the run. */
  get fullMessage(): string {
    return this.advice ? `${this.message}: ${this.advice}` : this.message;
  }
}

/** What to do about an error status the API's words may not explain; undefined when the message says it already. */
export function adviceForStatus(status: number, attempts: number): string | undefined {
  if (status === 403) return "check that the API key may manage the organization's users";
  if (status === 429) return `rate limited on all ${attempts} attempts: run again later, or with a lower --concurrency`;
  if (status >= 500)
    return `the API (or a gateway before it) failed, ${attempts === 1 ? "once" : `${attempts} times`}: try again later`;
  return undefined;
}

export const AUTH_FAILED_MESSAGE = "authentication failed: check TELNYX_API_KEY";
