import http from "node:http";
import https from "node:https";
import crossFetch from "cross-fetch";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { adviceForStatus, ApiError, AUTH_FAILED_MESSAGE } from "./api-error.js";
import { BASE_URL_VERSION_HINT, hasVersionSegment, parseBaseUrl } from "./base-url.js";
import { clip } from "../core/safe-text.js";
import type { OrganizationUser } from "../core/organization-user.js";
import { networkFailure } from "./network-error.js";
import { proxyFor } from "./proxy.js";
import { interruptibleSleep } from "./interruptible-sleep.js";
import { RatePacer, type PaceTicket } from "./rate-limit.js";

/** Statuses worth another attempt: the request may succeed if sent again later. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
export const MAX_PAGE_SIZE = 250;
/** A 429 is the API asking to wait, not a failure: it does not use up --max-retries, up to this many per request. */
export const MAX_RATE_LIMITED = 20;
/** Answers larger than this are not the API's (a page of 250 users is about 100 KB). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** The groups report holds the whole organization (about 250 bytes a user): room for a million users. */
const MAX_REPORT_BYTES = 256 * 1024 * 1024;

export interface ClientOptions {
  baseUrl: string;
  /** Where the base URL came from (--base-url, TELNYX_BASE_URL), for messages about it. */
  baseUrlSource?: string;
  apiKey: string;
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

/** One page of users with the pagination the API reported. */
export interface UsersPage {
  users: OrganizationUser[];
  totalPages: number;
  totalResults: number | undefined;
}

/** How a removal ended when the API confirmed the user is gone (a 404 after an attempt that may have gone through is "removed"). */
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

type SentResponse = Omit<ApiResponse, "attempts" | "ambiguousEarlier">;
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
  readonly #onWait: ((event: WaitEvent) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #agent: http.Agent;
  /** The proxy's host, for messages (never its credentials). */
  readonly #via: string;
  readonly #proxyHost: string | undefined;
  readonly #pacer = new RatePacer();
  /** Waits (backoffs, rate-limit pauses) that end early once the run is interrupted. */
  readonly #sleep: (ms: number) => Promise<void>;
  #halted = false;

  constructor(options: ClientOptions) {
    this.baseUrl = parseBaseUrl(options.baseUrl, options.baseUrlSource);
    if (!options.apiKey) throw new ApiError("config", "TELNYX_API_KEY is not set: export your Telnyx API key (or the sandbox's key) first");
    if (!/^[\x21-\x7e]+$/.test(options.apiKey)) {
      throw new ApiError("config", "TELNYX_API_KEY holds spaces or control characters, which cannot be sent: copy the key again");
    }
    this.#authorization = `Bearer ${options.apiKey}`;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#backoffBaseMs = options.backoffBaseMs ?? 500;
    this.#onRetry = options.onRetry;
    this.#onWait = options.onWait;
    this.#signal = options.signal;
    this.#sleep = interruptibleSleep(options.signal);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
    const proxy = proxyFor(this.baseUrl, options.env ?? process.env);
    this.#via = proxy ? ` via the proxy at ${proxy.host}` : "";
    this.#proxyHost = proxy?.host;
    const secure = this.baseUrl.protocol === "https:";
    // Through a proxy an https request is tunnelled with CONNECT, so the proxy never sees the key; a plain
    // http request (loopback only, see proxyFor) is forwarded.
    if (proxy) this.#agent = secure ? new HttpsProxyAgent(proxy, agentOptions) : new HttpProxyAgent(proxy, agentOptions);
    else this.#agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
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
    if (response.status !== 200) throw errorFor("GET", path, response, this.baseUrl);
    return parseUsersPage(response.body, path);
  }

  /**
   * Every user of the organization in one answer (GET /organizations/users/users_groups_report): one request
   * instead of one a page, and one consistent snapshot instead of pages that shift while they are read.
   */
  async usersGroupsReport(): Promise<OrganizationUser[]> {
    const path = "/organizations/users/users_groups_report";
    const response = await this.#request("GET", path, MAX_REPORT_BYTES);
    if (response.status !== 200) throw errorFor("GET", path, response, this.baseUrl);
    const fail = shapeFailure(path);
    const data = (response.body as { data?: unknown } | undefined)?.data;
    if (typeof response.body !== "object" || response.body === null) return fail("not with JSON");
    if (!Array.isArray(data)) return fail('without a "data" list');
    return parseUsers(data, fail);
  }

  /**
   * Removes one user. A 404 carrying the API's JSON error means the user is already gone, a success; after
   * an attempt that may have gone through, that 404 is our own removal having happened.
   */
  async removeUser(id: string): Promise<RemoveResult> {
    const path = `/organizations/users/${encodeURIComponent(id)}/actions/remove`;
    const response = await this.#request("POST", path);
    if (response.status === 200) {
      // A 200 that is not the API's answer (a captive portal, a wrong base URL) cannot be counted as a removal,
      // nor one that names another user (or none): only the record of the user asked for says it was removed.
      const data = (response.body as { data?: unknown } | undefined)?.data;
      const fail = (what: string) => new ApiError("shape", `POST ${path} answered 200 ${what}: not counted as removed; check --base-url`, { status: 200, attempts: response.attempts });
      if (!response.isApiJson || typeof data !== "object" || data === null || Array.isArray(data)) throw fail("but not with the API's JSON user");
      const { id: answeredId, email } = data as { id?: unknown; email?: unknown };
      if (answeredId === undefined) throw fail("with a user record without an id");
      if (answeredId !== id) {
        const whose = typeof email === "string" ? `, email ${quoted(email)}` : "";
        throw fail(`with the record of another user (id ${quoted(String(typeof answeredId === "string" ? answeredId : JSON.stringify(answeredId)))}${whose})`);
      }
      return { outcome: "removed", status: 200, attempts: response.attempts };
    }
    if (response.status === 404 && isNotFoundError(response.body)) {
      const outcome = response.ambiguousEarlier ? "removed" : "already_absent";
      return { outcome, status: 404, attempts: response.attempts };
    }
    throw errorFor("POST", path, response, this.baseUrl);
  }

  async #request(method: string, path: string, maxBytes = MAX_BODY_BYTES): Promise<ApiResponse> {
    let ambiguousEarlier = false;
    let failures = 0;
    let rateLimited = 0;
    for (let attempt = 1; ; attempt += 1) {
      const ticket = await this.#paced(method, path, attempt - 1, ambiguousEarlier);
      let response: SentResponse;
      try {
        response = await this.#send(method, path, maxBytes);
      } catch (error) {
        this.#pacer.finished(ticket);
        if (error instanceof ApiError) throw error;
        if ((error as { type?: string }).type === "max-size") {
          throw new ApiError("shape", `${method} ${this.#describe(path)} answered with more than ${maxBytes} bytes: not the API's answer; check --base-url`, { attempts: attempt });
        }
        const failure = networkFailure(error, { host: this.baseUrl.host, timeoutMs: this.#timeoutMs, ...(this.#proxyHost ? { proxyHost: this.#proxyHost } : {}) });
        // A timeout or a cut connection may come after the API did the work; a refused connection cannot.
        if (method !== "GET" && !failure.notSent) ambiguousEarlier = true;
        failures += 1;
        // A name that does not resolve or a certificate that is not trusted will not get better: no retry.
        if (!failure.retry || failures > this.#maxRetries) {
          throw new ApiError("network", `${method} ${this.#describe(path)} failed: ${failure.reason}: ${failure.advice}`, { attempts: attempt });
        }
        await this.#beforeRetry(method, path, attempt, failure.reason, this.#backoff(failures));
        continue;
      }
      this.#pacer.finished(ticket, response);
      const result: ApiResponse = { ...response, attempts: attempt, ambiguousEarlier };
      if (response.status === 401) {
        this.#halted = true;
        throw new ApiError("auth", AUTH_FAILED_MESSAGE, { status: 401, attempts: attempt });
      }
      if (!RETRYABLE_STATUS.has(response.status)) return result;
      if (response.status === 429) {
        rateLimited += 1;
        if (rateLimited > MAX_RATE_LIMITED) return result;
        const asked = this.#pacer.waitAfter429(response.headers);
        // A little jitter so the requests that waited together do not all arrive at the reset at once.
        const delayMs = asked === undefined ? this.#backoff(rateLimited) : asked + Math.random() * Math.min(250, asked / 10);
        // The API counts the requests of one key together: the others wait for the window as well.
        this.#pacer.pause(Date.now() + (asked ?? delayMs));
        await this.#beforeRetry(method, path, attempt, "429 rate limited", delayMs);
        continue;
      }
      failures += 1;
      if (failures > this.#maxRetries) return result;
      // A 5xx may come from a gateway after the API did the work.
      if (method !== "GET" && response.status >= 500) ambiguousEarlier = true;
      await this.#beforeRetry(method, path, attempt, `${response.status}`, this.#backoff(failures));
    }
  }

  /**
   * Returns once a request may be sent: not after a 401, not once interrupted, and not before the rate-limit
   * window allows it.
   */
  async #paced(method: string, path: string, sent: number, ambiguousEarlier: boolean): Promise<PaceTicket> {
    const stopped = () => {
      if (this.#halted) return new ApiError("auth", AUTH_FAILED_MESSAGE, { status: 401, attempts: sent });
      if (!this.#signal?.aborted) return undefined;
      const why = sent === 0 ? "not sent" : `not tried again after ${sent === 1 ? "1 attempt" : `${sent} attempts`}${ambiguousEarlier ? " (an earlier one may have gone through)" : ""}`;
      return new ApiError("aborted", `${method} ${path.split("?")[0]} ${why}: interrupted`, { attempts: sent, mayHaveHappened: ambiguousEarlier });
    };
    const before = stopped();
    if (before) throw before;
    const ticket = await this.#pacer.start(this.#signal, (ms) => {
      if (ms > 0) this.#onWait?.({ reason: "rate limit", untilMs: Date.now() + ms });
      return this.#sleep(ms);
    });
    const after = stopped();
    if (after || !ticket) {
      if (ticket) this.#pacer.finished(ticket);
      throw after ?? stopped()!;
    }
    return ticket;
  }

  async #beforeRetry(method: string, path: string, attempt: number, reason: string, delayMs: number): Promise<void> {
    this.#onRetry?.({ method, path, attempt: attempt + 1, reason, delayMs });
    this.#onWait?.({ reason: reason.startsWith("429") ? "429" : "retry", untilMs: Date.now() + delayMs });
    await this.#sleep(delayMs);
  }

  async #send(method: string, path: string, maxBytes: number): Promise<SentResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      const response = await fetchImpl(`${this.baseUrl.href.replace(/\/$/, "")}${path}`, {
        method,
        headers: { Authorization: this.#authorization, Accept: "application/json", "User-Agent": "telnyx-roster" },
        agent: this.#agent,
        // Redirects are never followed: the API does not redirect, and a redirect must not take the key
        // (or a removal) to whatever host it names.
        redirect: "manual",
        signal: controller.signal,
        size: maxBytes,
      });
      if (response.status >= 300 && response.status < 400) {
        await response.text().catch(() => "");
        throw new ApiError("http", `${method} ${this.#describe(path)} was redirected (${response.status}) to ${response.headers.get("location") ?? "nowhere"}: roster does not follow redirects with the API key; check --base-url`, { status: response.status });
      }
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
      return { status: response.status, headers: response.headers, body, isApiJson };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Exponential backoff with jitter: half the step plus a random half, the step doubling up to 8 s. */
  #backoff(failures: number): number {
    const step = Math.min(this.#backoffBaseMs * 2 ** (failures - 1), 8_000);
    return step / 2 + Math.random() * (step / 2);
  }

  #describe(path: string): string {
    return `${this.baseUrl.host}${this.baseUrl.pathname}${path.split("?")[0]}${this.#via}`;
  }
}


/** A value from an answer, cut short and quoted for a message (renderers neutralise control characters). */
function quoted(value: string): string {
  return JSON.stringify(clip(value, 100));
}

/** The API's 404: a JSON error body with code 10005 (Resource not found). */
function isNotFoundError(body: unknown): boolean {
  const errors = (body as { errors?: unknown })?.errors;
  return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown })?.code === "10005");
}

/**
 * The error for an answer that is not a success. A 404 that is not the API's JSON, or any 404 to a base URL
 * without a version segment, most likely means a wrong base URL (https://api.telnyx.com without /v2): the
 * message says so. Such a base URL is not refused up front, since a gateway may rewrite paths.
 */
function errorFor(method: string, path: string, response: ApiResponse, baseUrl: URL): ApiError {
  const where = `${method} ${path.split("?")[0]}`;
  const first = (response.body as { errors?: { code?: unknown; title?: unknown; detail?: unknown }[] })?.errors?.[0];
  const advice = adviceForStatus(response.status, response.attempts);
  const options = { status: response.status, attempts: response.attempts, ...(typeof first?.code === "string" ? { code: first.code } : {}), ...(advice ? { advice } : {}) };
  if (!response.isApiJson || !first) {
    const hint =
      response.status === 404
        ? `: not the Telnyx API's answer; ${BASE_URL_VERSION_HINT}`
        : response.status === 407
          ? ": the proxy asks for credentials; put them in the proxy URL (HTTPS_PROXY=http://user:password@host:port)"
          : "";
    return new ApiError("http", `${where} answered ${response.status} without the API's JSON error body${hint}`, options);
  }
  // The API's words are shown as they come (sanitized when printed), cut short: a hostile answer can be huge.
  const words = [first.title, first.detail].filter((w): w is string => typeof w === "string" && w !== "").map((w) => clip(w, 300));
  const code = typeof first.code === "string" ? ` ${first.code}` : "";
  const hint = response.status === 404 && !hasVersionSegment(baseUrl) ? `; ${BASE_URL_VERSION_HINT}` : "";
  return new ApiError("http", `${where} answered ${response.status}${code}: ${words.join(": ") || "no detail"}${hint}`, options);
}

type ShapeFailure = (what: string) => never;

function shapeFailure(path: string): ShapeFailure {
  return (what) => {
    throw new ApiError("shape", `GET ${path.split("?")[0]} answered 200 but ${what}: nothing was changed; check --base-url`);
  };
}

function parseUsersPage(body: unknown, path: string): UsersPage {
  const fail = shapeFailure(path);
  if (typeof body !== "object" || body === null) return fail("not with JSON");
  const { data, meta } = body as { data?: unknown; meta?: Record<string, unknown> };
  if (!Array.isArray(data)) return fail('without a "data" list');
  if (typeof meta !== "object" || meta === null) return fail('without "meta"');
  const totalPages = meta.total_pages;
  if (typeof totalPages !== "number" || !Number.isInteger(totalPages) || totalPages < 0 || totalPages > 1_000_000) {
    return fail(`with an invalid meta.total_pages (${clip(String(JSON.stringify(totalPages)), 100)})`);
  }
  const totalResults = typeof meta.total_results === "number" ? meta.total_results : undefined;
  return { users: parseUsers(data, fail), totalPages, totalResults };
}

/** The users of an answer's `data`, each checked for what roster relies on: a string id, email and record type. */
function parseUsers(data: unknown[], fail: ShapeFailure): OrganizationUser[] {
  return data.map((raw, index) => {
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
}
