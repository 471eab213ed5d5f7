import { clip } from "../core/safe-text.js";
import { ApiError } from "./api-error.js";

export const DEFAULT_BASE_URL = "https://api.telnyx.com/v2";

/** What to check when an answer suggests the base URL lacks the API's version segment. */
export const BASE_URL_VERSION_HINT = `check --base-url: the Telnyx API's base URL ends in /v2 (${DEFAULT_BASE_URL})`;

/** Whether the base URL's path has a version segment such as /v2, as the API's does. */
export function hasVersionSegment(url: URL): boolean {
  return /(^|\/)v\d+(\/|$)/i.test(url.pathname);
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Whether a URL's host name is this machine's loopback, where a plain-http request never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/**
 * Checks and normalises a base URL. The key travels in a header, so plain http is allowed only to a
 * loopback host (the sandbox); anything else must be https. `source` names where the URL came from
 * (--base-url or TELNYX_BASE_URL), for the messages.
 */
export function parseBaseUrl(raw: string, source = "the base URL"): URL {
  const given = `${source} ${clip(raw, 200)}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError(
      "config",
      `${source} ${JSON.stringify(clip(raw, 200))} is not a URL: give a full URL such as ${DEFAULT_BASE_URL}`,
    );
  }
  if (url.username || url.password) {
    // Not echoed: the URL holds a password.
    throw new ApiError(
      "config",
      `${source} holds a user name or password: remove them; the key comes from TELNYX_API_KEY`,
    );
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new ApiError(
      "config",
      `${given}: plain http to ${url.hostname} would send the API key unencrypted: use https (plain http is allowed ` +
        `only to a loopback host such as the sandbox)`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ApiError("config", `${given}: the scheme must be https (or http to a loopback host such as the sandbox)`);
  }
  url.search = "";
  url.hash = "";
  url.pathname = url.pathname.replace(/\/+$/, "");
  return url;
}
