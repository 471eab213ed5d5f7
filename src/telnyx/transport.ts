import type http from "node:http";
import { ApiError, AUTH_FAILED_MESSAGE } from "./api-error.js";
import { answerMeaning, FIRST_ATTEMPT, type AttemptState } from "./answer-meaning.js";
import { ACCEPT_ENCODING, type SendOptions, type SentAnswer } from "./http-send.js";
import { interruptibleSleep } from "./interruptible-sleep.js";
import { networkFailure } from "./network-error.js";
import { RatePacer, type PaceTicket } from "./rate-limit.js";
import { clientRoute } from "./socket-pool.js";
import {
  apiResponse,
  MAX_BODY_BYTES,
  type ApiResponse,
  type ClientOptions,
  type RetryEvent,
  type WaitEvent,
} from "./transport-options.js";

export { SocketPool } from "./socket-pool.js";

export {
  MAX_BODY_BYTES,
  type ApiResponse,
  type ClientOptions,
  type RetryEvent,
  type WaitEvent,
} from "./transport-options.js";

type BodyReader = SendOptions["bodyReader"];
type SentResponse = Omit<ApiResponse, "attempts" | "ambiguousEarlier">;

/**
 * Sending and retrying: the agent (and proxy), one attempt's timeout and size cap, redirects refused, pacing
 * by the rate limit, and the retry loop, which asks answerMeaning what each attempt's outcome means. What
 * the answers say is the endpoints' business (client.ts, parse-answers.ts).
 */
export class Transport {
  readonly baseUrl: URL;
  readonly #authFailedMessage: string;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #backoffBaseMs: number;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  readonly #onWait: ((event: WaitEvent) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #agent: http.Agent;
  readonly #sendHttp: (options: SendOptions) => Promise<SentAnswer>;
  /** The same for every request: made once. */
  readonly #headers: http.OutgoingHttpHeaders;
  /** The agent is a pool's, closed by the pool's owner, not by this client. */
  readonly #pooled: boolean;
  /** The proxy's host, for messages (never its credentials). */
  readonly #via: string;
  readonly #proxyHost: string | undefined;
  readonly #pacer = new RatePacer();
  /** Waits (backoffs, rate-limit pauses) that end early once the run is interrupted. */
  readonly #sleep: (ms: number) => Promise<void>;
  #halted = false;

  constructor(options: ClientOptions) {
    const route = clientRoute(options);
    this.baseUrl = route.baseUrl;
    if (!options.apiKey)
      throw new ApiError(
        "config",
        "TELNYX_API_KEY is not set: export your Telnyx API key (or the sandbox's key) first",
      );
    if (!/^[\x21-\x7e]+$/.test(options.apiKey)) {
      throw new ApiError(
        "config",
        "TELNYX_API_KEY holds spaces or control characters, which cannot be sent: copy the key again",
      );
    }
    this.#headers = {
      Authorization: `Bearer ${options.apiKey}`,
      Accept: "application/json",
      "User-Agent": "telnyx-roster",
      "Accept-Encoding": ACCEPT_ENCODING,
    };
    this.#authFailedMessage = options.authFailedMessage ?? AUTH_FAILED_MESSAGE;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#backoffBaseMs = options.backoffBaseMs ?? 500;
    this.#onRetry = options.onRetry;
    this.#onWait = options.onWait;
    this.#signal = options.signal;
    this.#sleep = interruptibleSleep(options.signal);
    this.#agent = route.agent.agent;
    this.#pooled = route.agent.pooled;
    this.#via = route.agent.via;
    this.#proxyHost = route.agent.proxyHost;
    this.#sendHttp = route.send;
  }

  /** The host requests go to, for messages and plan files (never the key). */
  get host(): string {
    return this.baseUrl.host;
  }

  /** Closes idle keep-alive sockets so the process can exit promptly (a pool's are closed by the pool). */
  close(): void {
    if (!this.#pooled) this.#agent.destroy();
  }

  /**
   * Sends a request until its answer is final: retried, paced and stopped as answerMeaning says. `bodyReader` reads a
   * JSON success's body as it arrives (see SendOptions).
   */
  async request(
    method: string,
    path: string,
    maxBytes = MAX_BODY_BYTES,
    bodyReader?: BodyReader,
  ): Promise<ApiResponse> {
    let state: AttemptState = FIRST_ATTEMPT;
    for (let attempt = 1; ; attempt += 1) {
      const ticket = await this.#paced(method, path, attempt - 1, state.ambiguousEarlier);
      let response: SentResponse;
      try {
        response = await this.#send(method, path, maxBytes, bodyReader);
      } catch (error) {
        this.#pacer.finished(ticket);
        if (error instanceof ApiError) throw error;
        if ((error as { type?: string }).type === "max-size") {
          throw new ApiError(
            "shape",
            `${method} ${this.describe(path)} answered with more than ${maxBytes} bytes: not the API's answer; check ` +
              `--base-url`,
            { attempts: attempt },
          );
        }
        const failure = networkFailure(error, {
          host: this.baseUrl.host,
          timeoutMs: this.#timeoutMs,
          ...(this.#proxyHost ? { proxyHost: this.#proxyHost } : {}),
        });
        const meaning = answerMeaning(
          method,
          state,
          { kind: "network", notSent: failure.notSent, retry: failure.retry },
          this.#maxRetries,
        );
        state = meaning.state;
        if (meaning.kind !== "retry")
          throw new ApiError(
            "network",
            `${method} ${this.describe(path)} failed: ${failure.reason}: ${failure.advice}`,
            { attempts: attempt },
          );
        await this.#beforeRetry(method, path, attempt, failure.reason, this.#backoff(state.failures));
        continue;
      }
      this.#pacer.finished(ticket, response);
      const meaning = answerMeaning(method, state, { kind: "answer", status: response.status }, this.#maxRetries);
      const result = apiResponse(response, attempt, state.ambiguousEarlier);
      state = meaning.state;
      if (meaning.kind === "halt") {
        this.#halted = true;
        throw new ApiError("auth", this.#authFailedMessage, { status: 401, attempts: attempt });
      }
      if (meaning.kind !== "retry") return result;
      if (meaning.wait === "rate-limit") {
        const asked = this.#pacer.waitAfter429(response.headers);
        // A little jitter so the requests that waited together do not all arrive at the reset at once.
        const delayMs =
          asked === undefined ? this.#backoff(state.rateLimited) : asked + Math.random() * Math.min(250, asked / 10);
        // The API counts the requests of one key together: the others wait for the window as well.
        this.#pacer.pause(Date.now() + (asked ?? delayMs));
        await this.#beforeRetry(method, path, attempt, "429 rate limited", delayMs);
        continue;
      }
      await this.#beforeRetry(method, path, attempt, `${response.status}`, this.#backoff(state.failures));
    }
  }

  /**
   * Returns once a request may be sent: not after a 401, not once interrupted, and not before the rate-limit
   * window allows it.
   */
  async #paced(method: string, path: string, sent: number, ambiguousEarlier: boolean): Promise<PaceTicket> {
    const stopped = () => {
      if (this.#halted) return new ApiError("auth", this.#authFailedMessage, { status: 401, attempts: sent });
      if (!this.#signal?.aborted) return undefined;
      const why =
        sent === 0
          ? "not sent"
          : `not tried again after ` +
            `${sent === 1 ? "1 attempt" : `${sent} attempts`}${ambiguousEarlier ? " (an earlier one may have gone through)" : ""}`;
      return new ApiError("aborted", `${method} ${path.split("?")[0]} ${why}: interrupted`, {
        attempts: sent,
        mayHaveHappened: ambiguousEarlier,
      });
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

  async #send(method: string, path: string, maxBytes: number, reader: BodyReader): Promise<SentResponse> {
    // Redirects are never followed: the API does not redirect, and a redirect must not take the key (or a
    // removal) to whatever host it names.
    const answer = await this.#sendHttp({
      method,
      path,
      headers: this.#headers,
      agent: this.#agent,
      timeoutMs: this.#timeoutMs,
      maxBytes,
      ...(reader ? { bodyReader: reader } : {}),
    });
    const { status, headers, text, read } = answer;
    if (status >= 300 && status < 400) {
      throw new ApiError(
        "http",
        `${method} ${this.describe(path)} was redirected (${status}) to ` +
          `${headers.get("location") ?? "nowhere"}: roster does not follow redirects with the API key; ` +
          "check --base-url",
        { status },
      );
    }
    if (read === "refused") return { status, headers, body: undefined, isApiJson: false };
    if (read) return { status, headers, body: read.value, isApiJson: true };
    let body: unknown;
    let isApiJson = false;
    if ((headers.get("content-type") ?? "").includes("json")) {
      try {
        body = JSON.parse(text);
        isApiJson = true;
      } catch {
        body = undefined;
      }
    }
    return { status, headers, body, isApiJson };
  }

  /** Exponential backoff with jitter: half the step plus a random half, the step doubling up to 8 s. */
  #backoff(failures: number): number {
    const step = Math.min(this.#backoffBaseMs * 2 ** (failures - 1), 8_000);
    return step / 2 + Math.random() * (step / 2);
  }

  describe(path: string): string {
    return `${this.baseUrl.host}${this.baseUrl.pathname}${path.split("?")[0]}${this.#via}`;
  }
}
