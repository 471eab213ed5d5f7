import http from "node:http";
import https from "node:https";
import { StringDecoder } from "node:string_decoder";
import { urlToHttpOptions } from "node:url";
import zlib from "node:zlib";

// One attempt of one request over node:http, the body read whole: what the transport needs of fetch and no
// more. node-fetch (under cross-fetch) cost about two thirds of roster's CPU per request (a WHATWG Headers,
// a Request, a Response and a stream per answer); across 1,000 managed accounts that was most of the run.

/** An answer's headers, read by name in any case. */
export interface AnswerHeaders {
  get(name: string): string | null;
}

/** One answer, its body read to the end and decoded. */
export interface SentAnswer {
  status: number;
  headers: AnswerHeaders;
  /** The body as UTF-8 text, decompressed; "" for a redirect, whose body is not read, and for a body read. */
  text: string;
  /**
   * What the options' body reader made of a JSON success's body: its value, or `refused` for a body that is not
   * JSON. Absent when no reader read the body.
   */
  read?: { value: unknown } | "refused";
}

export interface SendOptions {
  method: string;
  /** The path after the base URL's, with its query. */
  path: string;
  headers: http.OutgoingHttpHeaders;
  /** The keep-alive agent, or a proxy's (agent-base agents tunnel or forward from inside `request`). */
  agent: http.Agent;
  /** The whole attempt: waiting for a socket, the answer's head and its body. */
  timeoutMs: number;
  /** Body bytes allowed, as received and once decompressed: past them the attempt ends (a zip bomb too). */
  maxBytes: number;
  /**
   * For an answer that may be large: a JSON success's body is handed to a reader of this kind as its text arrives,
   * never held whole (`end` gives the value, or throws for a body that is not JSON).
   */
  bodyReader?: () => { write(text: string): void; end(): unknown };
}

/**
 * The attempt's own ends, shaped as fetch shaped them, since that is how networkFailure and the transport
 * know them: the timeout (`name` AbortError, `type` "aborted") and the size cap (`type` "max-size").
 */
export class AttemptCut extends Error {
  readonly type: "aborted" | "max-size";

  constructor(type: "aborted" | "max-size", message: string) {
    super(message);
    this.type = type;
    this.name = type === "aborted" ? "AbortError" : "MaxSizeError";
  }
}

/** What a request asks the server to compress with: what node-fetch asked for, and brotli, which zlib reads. */
export const ACCEPT_ENCODING = "gzip, deflate, br";

/** Node's parsed headers read as fetch reads them: by lower-case name, repeated values joined. */
class NodeHeaders implements AnswerHeaders {
  readonly #raw: http.IncomingHttpHeaders;

  constructor(raw: http.IncomingHttpHeaders) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
}

type Decoder = zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress;

// As node-fetch (and curl) read gzip: leniently, so that a body whose last block is missing its flush is read.
const LENIENT = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };

/** The decoder for a `content-encoding`, chosen on the body's first chunk; undefined to take the body as it is. */
function decoderFor(coding: string, first: Buffer): Decoder | undefined {
  if (coding === "gzip" || coding === "x-gzip") return zlib.createGunzip(LENIENT);
  if (coding === "br") return zlib.createBrotliDecompress();
  if (coding !== "deflate" && coding !== "x-deflate") return undefined;
  // Deflate is meant to come wrapped in zlib's header, but some old servers send it raw: the first byte tells.
  return ((first[0] ?? 0) & 0x0f) === 0x08 ? zlib.createInflate() : zlib.createInflateRaw();
}

/**
 * A sender for requests to `baseUrl` (whose path each request's path is added to). Redirects are never
 * followed: a 3xx is handed back as it is, its Location resolved against the request's URL. Errors are node's
 * (with their `code`: ECONNREFUSED, ECONNRESET, "socket hang up", certificate codes) or an AttemptCut.
 */
export function httpSender(baseUrl: URL): (options: SendOptions) => Promise<SentAnswer> {
  const { protocol, hostname, port } = urlToHttpOptions(baseUrl);
  const basePath = baseUrl.pathname.replace(/\/$/, "");
  const send = protocol === "https:" ? https.request : http.request;
  return (options) =>
    new Promise<SentAnswer>((resolve, reject) => {
      let settled = false;
      let req: http.ClientRequest | undefined;
      let decoder: Decoder | undefined;
      const end = (error: unknown, answer?: SentAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (answer) return resolve(answer);
        decoder?.destroy();
        // The socket goes with the request: half an answer must not be read as the next request's.
        req?.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () => end(new AttemptCut("aborted", `no answer within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      const { method, maxBytes } = options;
      // A POST or PUT without a body says so (`Content-Length: 0`, as fetch did): node:http writes it when the
      // request ends before anything was written, so the client's headers go as they are, with no copy for each.
      const { headers } = options;
      try {
        req = send({ protocol, hostname, port, path: basePath + options.path, method, headers, agent: options.agent });
      } catch (error) {
        return end(error);
      }
      req.on("error", end);
      req.on("response", (res) => {
        res.on("error", end);
        const status = res.statusCode ?? 0;
        const raw = res.headers;
        if (status >= 300 && status < 400) {
          // Not read: a redirect is an error to the transport, and its body is nobody's business.
          const { location } = raw;
          const url = `${baseUrl.origin}${basePath}${options.path}`;
          const told = location === undefined ? raw : { ...raw, location: resolved(location, url) };
          end(undefined, { status, headers: new NodeHeaders(told), text: "" });
          req?.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let kept = 0;
        let received = 0;
        const tooBig = () => new AttemptCut("max-size", `the answer is over ${maxBytes} bytes`);
        const reading = status === 200 && (raw["content-type"] ?? "").includes("json") ? options.bodyReader : undefined;
        const body = reading && bodyReading(reading());
        const keep = (chunk: Buffer) => {
          kept += chunk.length;
          if (kept > maxBytes) return end(tooBig());
          if (body) body.write(chunk);
          else chunks.push(chunk);
        };
        const done = () => {
          const headers = new NodeHeaders(raw);
          if (body) return end(undefined, { status, headers, text: "", read: body.end() });
          const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, kept);
          end(undefined, { status, headers, text: whole.toString("utf8") });
        };
        const coding = (raw["content-encoding"] ?? "").trim().toLowerCase();
        let plain = coding === "";
        res.on("data", (chunk: Buffer) => {
          if (settled) return;
          if (plain) return keep(chunk);
          received += chunk.length;
          if (received > maxBytes) return end(tooBig());
          if (!decoder) {
            decoder = decoderFor(coding, chunk);
            if (!decoder) {
              plain = true;
              return keep(chunk);
            }
            decoder.on("data", keep);
            decoder.on("error", end);
            decoder.on("end", done);
          }
          if (!decoder.write(chunk)) {
            res.pause();
            decoder.once("drain", () => res.resume());
          }
        });
        res.on("end", () => (decoder ? decoder.end() : done()));
        // Node reports a connection cut mid-body as an error ("aborted", ECONNRESET); this is for any other.
        res.on("close", () => {
          if (!res.complete) end(Object.assign(new Error("the answer was cut short"), { code: "ECONNRESET" }));
        });
      });
      req.end();
    });
}

/**
 * A body reader fed the body's bytes as UTF-8 text (a character split between two chunks is kept for the next);
 * once it refuses the text, the rest is not given to it, and the body reads as not JSON.
 */
function bodyReading(reader: { write(text: string): void; end(): unknown }) {
  const utf8 = new StringDecoder("utf8");
  let refused = false;
  const feed = (text: string) => {
    if (refused) return;
    try {
      reader.write(text);
    } catch {
      refused = true;
    }
  };
  return {
    write: (chunk: Buffer) => feed(utf8.write(chunk)),
    end: (): { value: unknown } | "refused" => {
      feed(utf8.end());
      if (refused) return "refused";
      try {
        return { value: reader.end() };
      } catch {
        return "refused";
      }
    },
  };
}

/** A Location as an absolute URL where it parses as one (as node-fetch gave it), else as it came. */
function resolved(location: string, requestUrl: string): string {
  try {
    return new URL(location, requestUrl).href;
  } catch {
    return location;
  }
}
