import http from "node:http";
import https from "node:https";
import crossFetch from "cross-fetch";
import { ApiError, AUTH_FAILED_MESSAGE } from "./api-error.js";
import { parseBaseUrl } from "./base-url.js";
import type { OrganizationUser } from "./organization-user.js";

/** Statuses worth another attempt: the request may succeed if sent again later. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
export const MAX_PAGE_SIZE = 250;

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Per attempt, in milliseconds. */
  timeoutMs?: number;
  /** Attempts after the first one, for retryable failures. */
  maxRetries?: number;
  /** First backoff step in milliseconds; doubles each retry, capped at 8 s, with jitter. */
  backoffBaseMs?: number;
  /** Called before each retry, for progress and logs. */
  onRetry?: (event: RetryEvent) => void;
  /** Once aborted, no new attempt starts (requests already sent are left to finish). */
  signal?: AbortSignal;
  /** Sockets kept open to the API, at least the concurrency of the run. */
  maxSockets?: number;
}

/** One request about to be sent again, and why. */
export interface RetryEvent {
  method: string;
  path: string;
  attempt: number;
  reason: string;
  delayMs: number;
}

/** One page of users with the pagination the API reported. */
export interface UsersPage {
  users: OrganizationUser[];
  totalPages: number;
  totalResults: number | undefined;
}

/** How a removal ended when the API confirmed the user is gone. */
export interface RemoveResult {
  outcome: "removed" | "already_absent";
  status: number;
  attempts: number;
}

interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  isApiJson: boolean;
  attempts: number;
  /** An earlier attempt may have reached the server and done the work (timeout, cut connection, 5xx). */
  ambiguousEarlier: boolean;
}

type FetchLike = (url: string, init: Record<string, unknown>) => Promise<Response>;
const fetchImpl = crossFetch as unknown as FetchLike;

/** The Organization Users API over HTTP: list pages, remove users; retries, timeouts and rate limits. */
export class TelnyxClient {
  readonly baseUrl: URL;
  readonly #authorization: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #backoffBaseMs: number;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #agent: http.Agent;
  #halted: ApiError | undefined;
  #pausedUntil = 0;

  constructor(options: ClientOptions) {
    this.baseUrl = parseBaseUrl(options.baseUrl);
    if (!options.apiKey) throw new ApiError("config", "TELNYX_API_KEY is not set: export your Telnyx API key (or the sandbox's key) first");
    if (!/^[\x21-\x7e]+$/.test(options.apiKey)) {
      throw new ApiError("config", "TELNYX_API_KEY holds spaces or control characters, which cannot be sent: copy the key again");
    }
    this.#authorization = `Bearer ${options.apiKey}`;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#backoffBaseMs = options.backoffBaseMs ?? 500;
    this.#onRetry = options.onRetry;
    this.#signal = options.signal;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
    this.#agent = this.baseUrl.protocol === "https:" ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /** The host requests go to, for messages and plan files (never the key). */
  get host(): string {
    return this.baseUrl.host;
  }

  /** Closes idle keep-alive sockets so the process can exit promptly. */
  close(): void {
    this.#agent.destroy();
  }

  async listUsersPage(pageNumber: number, pageSize = MAX_PAGE_SIZE): Promise<UsersPage> {
    const path = `/organizations/users?page[number]=${pageNumber}&page[size]=${pageSize}`;
    const response = await this.#request("GET", path);
    if (response.status !== 200) throw errorFor("GET", path, response);
    return parseUsersPage(response.body, path);
  }

  /**
   * Removes one user. A 404 carrying the API's JSON error means the user is already gone, a success; after
   * an attempt that may have gone through, that 404 is our own removal having happened.
   */
  async removeUser(id: string): Promise<RemoveResult> {
    const path = `/organizations/users/${encodeURIComponent(id)}/actions/remove`;
    const response = await this.#request("POST", path);
    if (response.status === 200) return { outcome: "removed", status: 200, attempts: response.attempts };
    if (response.status === 404 && isNotFoundError(response.body)) {
      const outcome = response.ambiguousEarlier ? "removed" : "already_absent";
      return { outcome, status: 404, attempts: response.attempts };
    }
    throw errorFor("POST", path, response);
  }

  async #request(method: string, path: string): Promise<ApiResponse> {
    let ambiguousEarlier = false;
    for (let attempt = 1; ; attempt += 1) {
      if (this.#halted) throw this.#halted;
      if (this.#signal?.aborted) throw new ApiError("aborted", `${method} ${path} not sent: interrupted`, { attempts: attempt - 1 });
      await this.#waitForRateWindow();
      let retry: { reason: string; delayMs: number } | undefined;
      try {
        const response = await this.#send(method, path);
        const result: ApiResponse = { ...response, attempts: attempt, ambiguousEarlier };
        this.#noteRateLimit(response.headers);
        if (response.status === 401) {
          this.#halted = new ApiError("auth", AUTH_FAILED_MESSAGE, { status: 401, attempts: attempt });
          throw this.#halted;
        }
        if (!RETRYABLE_STATUS.has(response.status) || attempt > this.#maxRetries) return result;
        if (method !== "GET" && response.status >= 500) ambiguousEarlier = true;
        retry = { reason: `${response.status}`, delayMs: this.#retryDelay(attempt, response.status === 429 ? response.headers : undefined) };
      } catch (error) {
        if (error instanceof ApiError) throw error;
        const reason = networkReason(error, this.#timeoutMs);
        if (attempt > this.#maxRetries) {
          throw new ApiError("network", `${method} ${this.#describe(path)} failed: ${reason}`, { attempts: attempt });
        }
        if (method !== "GET") ambiguousEarlier = true;
        retry = { reason, delayMs: this.#retryDelay(attempt, undefined) };
      }
      this.#onRetry?.({ method, path, attempt: attempt + 1, reason: retry.reason, delayMs: retry.delayMs });
      await sleep(retry.delayMs, this.#signal);
    }
  }

  async #send(method: string, path: string): Promise<Omit<ApiResponse, "attempts" | "ambiguousEarlier">> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      const response = await fetchImpl(`${this.baseUrl.href}${path}`, {
        method,
        headers: { Authorization: this.#authorization, Accept: "application/json", "User-Agent": "roster" },
        agent: this.#agent,
        redirect: "manual",
        signal: controller.signal,
      });
      const text = await response.text();
      let body: unknown;
      let isApiJson = false;
      if ((response.headers.get("content-type") ?? "").includes("json")) {
        try {
          body = JSON.parse(text);
          isApiJson = true;
        } catch {
          body = undefined;
        }
      }
      if (response.status >= 300 && response.status < 400) {
        throw new ApiError("http", `${method} ${this.#describe(path)} was redirected (${response.status}) to ${response.headers.get("location") ?? "nowhere"}: roster does not follow redirects with the API key; check --base-url`, { status: response.status });
      }
      return { status: response.status, headers: response.headers, body, isApiJson };
    } finally {
      clearTimeout(timer);
    }
  }

  #retryDelay(attempt: number, rateHeaders: Headers | undefined): number {
    if (rateHeaders) {
      const retryAfter = Number(rateHeaders.get("retry-after"));
      const reset = Number(rateHeaders.get("x-ratelimit-reset"));
      const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : Number.isFinite(reset) && reset > 0 ? reset : undefined;
      if (seconds !== undefined) return Math.min(seconds, 60) * 1000 + Math.random() * 100;
    }
    const step = Math.min(this.#backoffBaseMs * 2 ** (attempt - 1), 8_000);
    return step / 2 + Math.random() * (step / 2);
  }

  #noteRateLimit(headers: Headers): void {
    const remaining = headers.get("x-ratelimit-remaining");
    const reset = Number(headers.get("x-ratelimit-reset"));
    if (remaining === "0" && Number.isFinite(reset) && reset > 0) {
      this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + Math.min(reset, 60) * 1000);
    }
  }

  async #waitForRateWindow(): Promise<void> {
    const wait = this.#pausedUntil - Date.now();
    if (wait > 0) await sleep(wait, this.#signal);
  }

  #describe(path: string): string {
    return `${this.baseUrl.host}${this.baseUrl.pathname}${path.split("?")[0]}`;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function networkReason(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; code?: string; type?: string; message?: string };
  if (err?.name === "AbortError" || err?.type === "aborted") return `no answer within ${Math.round(timeoutMs / 1000)} s (timeout)`;
  if (err?.code) return `connection error ${err.code}`;
  return "connection error";
}

/** The API's 404: a JSON error body with code 10005 (Resource not found). */
function isNotFoundError(body: unknown): boolean {
  const errors = (body as { errors?: unknown })?.errors;
  return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown })?.code === "10005");
}

function errorFor(method: string, path: string, response: ApiResponse): ApiError {
  const where = `${method} ${path.split("?")[0]}`;
  const first = (response.body as { errors?: { code?: unknown; title?: unknown; detail?: unknown }[] })?.errors?.[0];
  const options = { status: response.status, attempts: response.attempts, ...(typeof first?.code === "string" ? { code: first.code } : {}) };
  if (!response.isApiJson || !first) {
    const hint = response.status === 404 ? ": not the Telnyx API's answer; check --base-url" : "";
    return new ApiError("http", `${where} answered ${response.status} without the API's JSON error body${hint}`, options);
  }
  const words = [first.title, first.detail].filter((w): w is string => typeof w === "string" && w !== "");
  const code = typeof first.code === "string" ? ` ${first.code}` : "";
  return new ApiError("http", `${where} answered ${response.status}${code}: ${words.join(": ") || "no detail"}`, options);
}

function parseUsersPage(body: unknown, path: string): UsersPage {
  const fail = (what: string): never => {
    throw new ApiError("shape", `GET ${path.split("?")[0]} answered 200 but ${what}: nothing was changed; check --base-url`);
  };
  if (typeof body !== "object" || body === null) return fail("not with JSON");
  const { data, meta } = body as { data?: unknown; meta?: Record<string, unknown> };
  if (!Array.isArray(data)) return fail('without a "data" list');
  if (typeof meta !== "object" || meta === null) return fail('without "meta"');
  const totalPages = meta.total_pages;
  if (typeof totalPages !== "number" || !Number.isInteger(totalPages) || totalPages < 0 || totalPages > 1_000_000) {
    return fail(`with an invalid meta.total_pages (${JSON.stringify(totalPages)})`);
  }
  const totalResults = typeof meta.total_results === "number" ? meta.total_results : undefined;
  const users = data.map((raw, index) => {
    const user = raw as Partial<OrganizationUser>;
    if (typeof user !== "object" || user === null) return fail(`with data[${index}] not an object`);
    if (typeof user.id !== "string" || user.id === "") return fail(`with data[${index}] lacking a string id`);
    if (typeof user.email !== "string" || user.email.trim() === "") return fail(`with data[${index}] lacking a string email`);
    if (typeof user.record_type !== "string") return fail(`with data[${index}] lacking a record_type`);
    if (user.last_sign_in_at !== null && user.last_sign_in_at !== undefined && typeof user.last_sign_in_at !== "string") {
      return fail(`with data[${index}] having an invalid last_sign_in_at`);
    }
    return { ...user, user_status: typeof user.user_status === "string" ? user.user_status : "unknown", last_sign_in_at: user.last_sign_in_at ?? null } as OrganizationUser;
  });
  return { users, totalPages, totalResults };
}
