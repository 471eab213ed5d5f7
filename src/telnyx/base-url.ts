import { ApiError } from "./api-error.js";

export const DEFAULT_BASE_URL = "https://api.telnyx.com/v2";

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Whether a URL's host name is this machine's loopback, where a plain-http request never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/**
 * Checks and normalises a base URL. The key travels in a header, so plain http is allowed only to a
 * loopback host (the sandbox); anything else must be https.
 */
export function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError("config", `invalid base URL ${JSON.stringify(raw)}: give a full URL such as ${DEFAULT_BASE_URL}`);
  }
  if (url.username || url.password) {
    throw new ApiError("config", "the base URL must not carry credentials: the key comes from TELNYX_API_KEY");
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new ApiError("config", `refusing plain http to ${url.hostname}: the API key would travel unencrypted; use https (plain http is allowed only to loopback, e.g. the sandbox)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ApiError("config", `unsupported base URL scheme ${url.protocol} : use https`);
  }
  url.search = "";
  url.hash = "";
  url.pathname = url.pathname.replace(/\/+$/, "");
  return url;
}
