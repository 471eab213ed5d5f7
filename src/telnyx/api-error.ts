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

  constructor(kind: ApiErrorKind, message: string, options: { status?: number; code?: string; attempts?: number; mayHaveHappened?: boolean } = {}) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.status = options.status;
    this.code = options.code;
    this.attempts = options.attempts ?? 1;
    this.mayHaveHappened = options.mayHaveHappened ?? false;
  }
}

export const AUTH_FAILED_MESSAGE = "authentication failed: check TELNYX_API_KEY";
