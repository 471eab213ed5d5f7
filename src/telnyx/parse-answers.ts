import { redactApiText } from "../core/redact.js";
import { clip } from "../core/safe-text.js";
import type { OrganizationUser } from "../core/organization-user.js";
import { adviceForStatus, ApiError } from "./api-error.js";
import { BASE_URL_VERSION_HINT, hasVersionSegment } from "./base-url.js";
import type { ApiResponse } from "./transport.js";

// What the endpoints' answers mean: the users of a page or of the groups report, each checked for what roster
// relies on, and the error of an answer that is not a success. Pure: the transport hands the answers in.

/** One page of users with the pagination the API reported. */
export interface UsersPage {
  users: OrganizationUser[];
  totalPages: number;
  totalResults: number | undefined;
}

/** A value from an answer, cut short and quoted for a message (renderers neutralise control characters). */
export function quoted(value: string): string {
  return JSON.stringify(clip(value, 100));
}

/** The API's 404: a JSON error body with code 10005 (Resource not found). */
export function isNotFoundError(body: unknown): boolean {
  const errors = (body as { errors?: unknown })?.errors;
  return Array.isArray(errors) && errors.some((e) => (e as { code?: unknown })?.code === "10005");
}

/**
 * The error for an answer that is not a success. The API's words are redacted of `secrets` (the client's key,
 * every key of the run, any the answer holds) before they are cut short, so no cut leaves a piece of a key. A 404 that
 * is not the API's JSON, or any 404 to a base URL
 * without a version segment, most likely means a wrong base URL (https://api.telnyx.com without /v2): the
 * message says so. Such a base URL is not refused up front, since a gateway may rewrite paths.
 */
export function errorFor(
  method: string,
  path: string,
  response: ApiResponse,
  baseUrl: URL,
  secrets: readonly string[],
): ApiError {
  const where = `${method} ${path.split("?")[0]}`;
  const first = (response.body as { errors?: { code?: unknown; title?: unknown; detail?: unknown }[] })?.errors?.[0];
  const advice = adviceForStatus(response.status, response.attempts);
  const options = {
    status: response.status,
    attempts: response.attempts,
    ...(typeof first?.code === "string" ? { code: first.code } : {}),
    ...(advice ? { advice } : {}),
  };
  if (!response.isApiJson || !first) {
    const hint =
      response.status === 404
        ? `: not the Telnyx API's answer; ${BASE_URL_VERSION_HINT}`
        : response.status === 407
          ? ": the proxy asks for credentials; put them in the proxy URL (HTTPS_PROXY=http://user:password@host:port)"
          : "";
    return new ApiError(
      "http",
      `${where} answered ${response.status} without the API's JSON error body${hint}`,
      options,
    );
  }
  // The API's words are shown as they come (sanitized when printed), redacted, then cut short: a hostile answer can be
  // huge.
  const words = [first.title, first.detail]
    .filter((w): w is string => typeof w === "string" && w !== "")
    .map((w) => clip(redactApiText(w, secrets), 300));
  const code = typeof first.code === "string" ? ` ${first.code}` : "";
  const hint = response.status === 404 && !hasVersionSegment(baseUrl) ? `; ${BASE_URL_VERSION_HINT}` : "";
  return new ApiError(
    "http",
    `${where} answered ${response.status}${code}: ${words.join(": ") || "no detail"}${hint}`,
    options,
  );
}

export type ShapeFailure = (what: string) => never;

export function shapeFailure(path: string): ShapeFailure {
  return (what) => {
    throw new ApiError(
      "shape",
      `GET ${path.split("?")[0]} answered 200 but ${what}: nothing was changed; check --base-url`,
    );
  };
}

export function parseUsersPage(body: unknown, path: string): UsersPage {
  const fail = shapeFailure(path);
  const { data, totalPages, totalResults } = pageEnvelope(body, fail);
  return { users: parseUsers(data, fail), totalPages, totalResults };
}

/** A page's `data` list and its `meta` pagination, checked: every paged answer of the API has them. */
export function pageEnvelope(
  body: unknown,
  fail: ShapeFailure,
): { data: unknown[]; totalPages: number; totalResults: number | undefined } {
  if (typeof body !== "object" || body === null) return fail("not with JSON");
  const { data, meta } = body as { data?: unknown; meta?: Record<string, unknown> };
  if (!Array.isArray(data)) return fail('without a "data" list');
  if (typeof meta !== "object" || meta === null) return fail('without "meta"');
  const totalPages = meta.total_pages;
  if (typeof totalPages !== "number" || !Number.isInteger(totalPages) || totalPages < 0 || totalPages > 1_000_000) {
    return fail(`with an invalid meta.total_pages (${clip(String(JSON.stringify(totalPages)), 100)})`);
  }
  const totalResults = typeof meta.total_results === "number" ? meta.total_results : undefined;
  return { data, totalPages, totalResults };
}

/** The users of an answer's `data`, each checked for what roster relies on: a string id, email and record type. */
export function parseUsers(data: unknown[], fail: ShapeFailure): OrganizationUser[] {
  return data.map((raw, index) => {
    const user = raw as Partial<OrganizationUser>;
    if (typeof user !== "object" || user === null) return fail(`with data[${index}] not an object`);
    if (typeof user.id !== "string" || user.id === "") return fail(`with data[${index}] lacking a string id`);
    if (typeof user.email !== "string" || user.email.trim() === "")
      return fail(`with data[${index}] lacking a string email`);
    if (typeof user.record_type !== "string") return fail(`with data[${index}] lacking a record_type`);
    if (
      user.last_sign_in_at !== null &&
      user.last_sign_in_at !== undefined &&
      typeof user.last_sign_in_at !== "string"
    ) {
      return fail(`with data[${index}] having an invalid last_sign_in_at`);
    }
    if (user.groups !== undefined && user.groups !== null && !validGroups(user.groups)) {
      return fail(`with data[${index}] having invalid groups (a list of { id, name } was expected)`);
    }
    // The record as the API gave it, its two defaults filled in where it lacks them: a copy of each of 100,000
    // records would cost more than the rest of reading them. null groups are read as "not said", like an absent
    // field: roster never guesses a user is in no group.
    const read = user as OrganizationUser;
    if (typeof user.user_status !== "string") read.user_status = "unknown";
    if (user.last_sign_in_at === undefined) read.last_sign_in_at = null;
    if (user.groups === null) read.groups = undefined;
    return read;
  });
}

/** A user's groups as the API gives them: a list of objects each with a string name (and an id). */
function validGroups(groups: unknown): groups is { id: string; name: string }[] {
  return (
    Array.isArray(groups) &&
    groups.every(
      (group) => typeof group === "object" && group !== null && typeof (group as { name?: unknown }).name === "string",
    )
  );
}
