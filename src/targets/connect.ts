import { knownSecrets, type Io } from "../terminal/io.js";
import { DEFAULT_BASE_URL } from "../telnyx/base-url.js";
import { TelnyxClient, type RetryEvent, type SocketPool, type WaitEvent } from "../telnyx/client.js";

/** Flags shared by every command that talks to the API. */
export interface ApiOptions {
  baseUrl?: string;
  concurrency: number;
  timeoutSeconds: number;
  maxRetries: number;
}

/** What a command hears from a client while it works, and what stops it. */
export interface ClientHooks {
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
  onWait?: (event: WaitEvent) => void;
}

/** A client for another key than TELNYX_API_KEY: a managed account's, with the words of its 401. */
export interface OtherKey {
  apiKey?: string;
  authFailedMessage?: string;
  /** Keep-alive sockets shared with the run's other clients (a run across managed accounts). */
  sockets?: SocketPool;
}

/**
 * Builds the client from flags and environment: key from TELNYX_API_KEY (or a managed account's key, given),
 * base URL from flag, env, default.
 */
export function connect(options: ApiOptions, io: Io, extra: ClientHooks & OtherKey = {}): TelnyxClient {
  const backoff = Number(io.env.ROSTER_BACKOFF_BASE_MS);
  return new TelnyxClient({
    baseUrl: options.baseUrl ?? (io.env.TELNYX_BASE_URL || DEFAULT_BASE_URL),
    baseUrlSource:
      options.baseUrl !== undefined
        ? "--base-url"
        : io.env.TELNYX_BASE_URL
          ? "TELNYX_BASE_URL"
          : "the default base URL",
    apiKey: io.env.TELNYX_API_KEY ?? "",
    timeoutMs: options.timeoutSeconds * 1000,
    maxRetries: options.maxRetries,
    maxSockets: Math.max(options.concurrency, 1),
    env: io.env,
    secrets: () => knownSecrets(io.env),
    ...(Number.isFinite(backoff) && backoff > 0 ? { backoffBaseMs: backoff } : {}),
    ...extra,
  });
}
