import type { ServerResponse } from "node:http";

/** An answer the sandbox has decided on, before faults decide whether it is delivered. */
export interface Reply {
  status: number;
  body: string;
  contentType: string;
}

/** The API's error codes and titles by status (Telnyx's error list and the endpoints' published examples). */
export const ERRORS = {
  400: { code: "10015", title: "Bad Request" },
  401: { code: "10009", title: "Authentication failed" },
  403: { code: "10010", title: "Not authorized" },
  404: { code: "10005", title: "Resource not found" },
  408: { code: "10008", title: "Request timeout" },
  // The managed-accounts actions publish a 422 without an example body: the 400's code is the nearest the
  // error list has for a request the API understood and will not do.
  422: { code: "10015", title: "Unprocessable entity" },
  429: { code: "10011", title: "Too many requests" },
  500: { code: "10007", title: "Unexpected error" },
  // Telnyx lists no code of its own for an unavailable service: its "unexpected error" is the nearest.
  503: { code: "10007", title: "Unexpected error" },
} as const;

/** A status the sandbox answers with the API's error body. */
export type ErrorStatus = keyof typeof ERRORS;

// The published examples carry `source.pointer` on 400, 403 and 404 and none on 401; errors the examples do
// not show (408, 422, 429, 5xx) name no part of the request either.
const WITH_SOURCE = new Set<number>([400, 403, 404]);

export function jsonReply(status: number, body: unknown): Reply {
  return { status, contentType: "application/json", body: JSON.stringify(body) };
}

/** The API's error body for `status`, its code and title from ERRORS. */
export function errorReply(status: ErrorStatus, detail: string, pointer = "/"): Reply {
  const error = ERRORS[status];
  const source = WITH_SOURCE.has(status) ? { source: { pointer } } : {};
  return jsonReply(status, {
    errors: [
      {
        ...error,
        detail,
        ...source,
        meta: { url: `https://developers.telnyx.com/docs/overview/errors/${error.code}` },
      },
    ],
  });
}

/** What a load balancer in front of the API sends when the API behind it fails: HTML, not the API's JSON. */
export function gatewayReply(status: 502 | 504): Reply {
  const title = status === 502 ? "502 Bad Gateway" : "504 Gateway Timeout";
  return {
    status,
    contentType: "text/html",
    body: `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`,
  };
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, { "content-type": reply.contentType, "content-length": Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

/** A whole number query parameter: `fallback` when absent, undefined when it is not a whole number. */
export function intParam(url: URL, name: string, fallback: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}
