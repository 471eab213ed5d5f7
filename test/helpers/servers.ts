import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A plain HTTP server on loopback answering with `handler`: a proxy page, a wrong API, a broken answer. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A request as a gateway in front of the sandbox saw it: the path after /v2, and the key it carried. */
export interface GatewayRequest {
  method: string;
  path: string;
  /** The bearer token the request carried ("" for none). */
  key: string;
}

/** What a gateway answers in the sandbox's place, or how it changes the sandbox's answer. */
export interface GatewayRules {
  /** An answer of its own (status and JSON body), or undefined to forward the request. */
  answer?: (request: GatewayRequest) => { status: number; body: unknown } | undefined;
  /** The key to forward a request with, in place of the one it carried: a second key of one organization. */
  forwardKey?: (key: string) => string;
  /** The JSON body to answer with, in place of the sandbox's. */
  rewrite?: (request: GatewayRequest, status: number, body: unknown) => unknown;
}

/**
 * A gateway on loopback in front of `upstream` (the sandbox's /v2 URL), as a proxy or a misbehaving API
 * would be: it forwards each request, unless `rules` answer it or change its answer. It logs every request.
 */
export async function startGateway(upstream: string, rules: GatewayRules = {}) {
  const log: GatewayRequest[] = [];
  const server = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const key = /^Bearer (.*)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
      const request = { method: req.method!, path: req.url!.slice("/v2".length), key };
      log.push(request);
      const own = rules.answer?.(request);
      if (own) {
        res.writeHead(own.status, { "content-type": "application/json" });
        res.end(JSON.stringify(own.body));
        return;
      }
      const forwarded = rules.forwardKey?.(key) ?? key;
      const answer = await fetch(`${upstream}${request.path}`, {
        method: req.method!,
        headers: { ...(forwarded ? { authorization: `Bearer ${forwarded}` } : {}), "content-type": "application/json" },
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      });
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (name !== "content-length" && name !== "transfer-encoding" && name !== "connection") headers[name] = value;
      });
      const bytes = Buffer.from(await answer.arrayBuffer());
      const json = rules.rewrite && (headers["content-type"] ?? "").includes("json");
      res.writeHead(answer.status, headers);
      res.end(
        json ? JSON.stringify(rules.rewrite!(request, answer.status, JSON.parse(bytes.toString("utf8")))) : bytes,
      );
    });
  });
  return { ...server, log };
}
