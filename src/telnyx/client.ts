import type { OrganizationUser } from "../core/organization-user.js";
import { ApiError } from "./api-error.js";
import {
  errorFor,
  isNotFoundError,
  parseUsers,
  parseUsersPage,
  quoted,
  shapeFailure,
  type UsersPage,
} from "./parse-answers.js";
import {
  managedAccountsErrorFor,
  parseManagedAccountsPage,
  parseManagedAccountWithKey,
  scrubbed,
  secretsIn,
  type ManagedAccountsPage,
  type ManagedAccountWithKey,
} from "./parse-managed-accounts.js";
import { reportBodyReader } from "./report-reader.js";
import { Transport, type ApiResponse, type ClientOptions } from "./transport.js";

export { MAX_RATE_LIMITED } from "./answer-meaning.js";
export type { UsersPage } from "./parse-answers.js";
export type { ManagedAccountsPage, ManagedAccountWithKey } from "./parse-managed-accounts.js";
export type { ManagedAccount } from "../core/managed-account.js";
export type { ClientOptions, RetryEvent, WaitEvent } from "./transport.js";
export { SocketPool } from "./transport.js";

export const MAX_PAGE_SIZE = 250;
/** The groups report holds the whole organization (about 250 bytes a user): room for a million users. */
const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/**
 * How a removal ended when the API confirmed the user is gone (a 404 after an attempt that may have gone through is
 * "removed").
 */
export interface RemoveResult {
  outcome: "removed" | "already_absent";
  status: number;
  attempts: number;
}

/**
 * The Organization Users API's endpoints: list pages, the groups report, remove a user; and a manager's
 * Managed Accounts endpoints: list its accounts, get one with its key. A managed account's users are read
 * and removed by a client made with that account's key. Sending, retrying and pacing are the transport's
 * (one pacer a client, as the API counts each key's requests on their own); each method here says what its
 * endpoint's answers mean.
 */
export class TelnyxClient {
  readonly #transport: Transport;
  /** Kept only to take it out of error messages, should an answer echo it. */
  readonly #apiKey: string;
  /** The run's other keys (the manager's, other accounts'), to take out of error messages as well. */
  readonly #otherSecrets: () => readonly string[];
  /** The API refused the groups report: later reads of this run (apply's verification) go to the pages. */
  reportRefused = false;

  constructor(options: ClientOptions) {
    this.#transport = new Transport(options);
    this.#apiKey = options.apiKey;
    this.#otherSecrets = options.secrets ?? (() => []);
  }

  get baseUrl(): URL {
    return this.#transport.baseUrl;
  }

  /** The host requests go to, for messages and plan files (never the key). */
  get host(): string {
    return this.#transport.host;
  }

  /** Closes idle keep-alive sockets so the process can exit promptly. */
  close(): void {
    this.#transport.close();
  }

  async listUsersPage(pageNumber: number, pageSize = MAX_PAGE_SIZE): Promise<UsersPage> {
    const path = `/organizations/users?page[number]=${pageNumber}&page[size]=${pageSize}&include_groups=true`;
    const response = await this.#transport.request("GET", path);
    if (response.status !== 200) throw this.#errorFor("GET", path, response);
    return this.#read(response, () => parseUsersPage(response.body, path));
  }

  /**
   * Every user of the organization in one answer (GET /organizations/users/users_groups_report): one request
   * instead of one a page, and one consistent snapshot instead of pages that shift while they are read.
   */
  async usersGroupsReport(): Promise<OrganizationUser[]> {
    const path = "/organizations/users/users_groups_report";
    // Read as it arrives: 100,000 users are 30 MB of text, never held whole.
    const response = await this.#transport.request("GET", path, MAX_REPORT_BYTES, () => reportBodyReader());
    if (response.status !== 200) throw this.#errorFor("GET", path, response);
    return this.#read(response, () => {
      const fail = shapeFailure(path);
      const data = (response.body as { data?: unknown } | undefined)?.data;
      if (typeof response.body !== "object" || response.body === null) return fail("not with JSON");
      if (!Array.isArray(data)) return fail('without a "data" list');
      return parseUsers(data, fail);
    });
  }

  /**
   * Removes one user. A 404 carrying the API's JSON error means the user is already gone, a success; after
   * an attempt that may have gone through, that 404 is our own removal having happened.
   */
  async removeUser(id: string): Promise<RemoveResult> {
    const path = `/organizations/users/${encodeURIComponent(id)}/actions/remove`;
    const response = await this.#transport.request("POST", path);
    if (response.status === 200) {
      // A 200 that is not the API's answer (a captive portal, a wrong base URL) cannot be counted as a removal,
      // nor one that names another user (or none): only the record of the user asked for says it was removed.
      const data = (response.body as { data?: unknown } | undefined)?.data;
      const fail = (what: string) =>
        this.#scrub(
          new ApiError("shape", `POST ${path} answered 200 ${what}: not counted as removed; check --base-url`, {
            status: 200,
            attempts: response.attempts,
          }),
          response.body,
        );
      if (!response.isApiJson || typeof data !== "object" || data === null || Array.isArray(data))
        throw fail("but not with the API's JSON user");
      const { id: answeredId, email } = data as { id?: unknown; email?: unknown };
      if (answeredId === undefined) throw fail("with a user record without an id");
      if (answeredId !== id) {
        const whose = typeof email === "string" ? `, email ${quoted(email)}` : "";
        throw fail(
          `with the record of another user (id ` +
            `${quoted(String(typeof answeredId === "string" ? answeredId : JSON.stringify(answeredId)))}${whose})`,
        );
      }
      return { outcome: "removed", status: 200, attempts: response.attempts };
    }
    if (response.status === 404 && isNotFoundError(response.body)) {
      const outcome = response.ambiguousEarlier ? "removed" : "already_absent";
      return { outcome, status: 404, attempts: response.attempts };
    }
    throw this.#errorFor("POST", path, response);
  }

  /**
   * One page of the accounts this key manages (GET /managed_accounts), oldest first: new accounts then join
   * the last page instead of shifting the pages being read. A 403 means the key is not a manager's.
   */
  async listManagedAccountsPage(
    pageNumber: number,
    pageSize = MAX_PAGE_SIZE,
    options: { includeCancelled?: boolean } = {},
  ): Promise<ManagedAccountsPage> {
    const cancelled = options.includeCancelled ? "&include_cancelled_accounts=true" : "";
    const path = `/managed_accounts?page[number]=${pageNumber}&page[size]=${pageSize}&sort=created_at${cancelled}`;
    const response = await this.#transport.request("GET", path);
    if (response.status !== 200)
      throw managedAccountsErrorFor("GET", path, response, this.#transport.baseUrl, this.#secrets());
    return this.#read(response, () => parseManagedAccountsPage(response.body, path));
  }

  /**
   * One managed account and its own API key (GET /managed_accounts/{id}). The key is returned apart from
   * the account, to be held in memory only: give it to a TelnyxClient of its own for that account's users.
   */
  async getManagedAccount(id: string): Promise<ManagedAccountWithKey> {
    const path = `/managed_accounts/${encodeURIComponent(id)}`;
    const response = await this.#transport.request("GET", path);
    if (response.status !== 200)
      throw managedAccountsErrorFor("GET", path, response, this.#transport.baseUrl, this.#secrets());
    return this.#read(response, () => parseManagedAccountWithKey(response.body, path, id));
  }

  /** errorFor, with this client's key, the run's other keys and any secret the answer holds kept out of the message. */
  #errorFor(method: string, path: string, response: ApiResponse): ApiError {
    const secrets = [...this.#secrets(), ...secretsIn(response.body)];
    return scrubbed(errorFor(method, path, response, this.#transport.baseUrl, secrets), secrets);
  }

  /** What `parse` makes of a success's answer; the error of an answer it refuses, with every key kept out of it. */
  #read<T>(response: ApiResponse, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      throw error instanceof ApiError ? this.#scrub(error, response.body) : error;
    }
  }

  /** `error` without this client's key, the run's other keys, or any secret `body` holds. */
  #scrub(error: ApiError, body: unknown): ApiError {
    return scrubbed(error, [...this.#secrets(), ...secretsIn(body)]);
  }

  #secrets(): string[] {
    return [this.#apiKey, ...this.#otherSecrets()];
  }
}
