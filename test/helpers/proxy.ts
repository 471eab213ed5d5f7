import { createServer, request, type IncomingHttpHeaders } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

/** What a test proxy saw: tunnels asked for with CONNECT, and plain requests it forwarded. */
export interface ProxyLog {
  connects: { authority: string; headers: IncomingHttpHeaders }[];
  forwards: { method: string; url: string; headers: IncomingHttpHeaders }[];
}

/** A small proxy on loopback, as curl and corporate networks use them: CONNECT tunnels and forwarded http. */
export async function startProxy() {
  const log: ProxyLog = { connects: [], forwards: [] };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    log.forwards.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const target = new URL(req.url ?? "");
    const { "proxy-authorization": _auth, "proxy-connection": _conn, ...headers } = req.headers;
    const upstream = request(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on("connect", (req, client: Socket, head: Buffer) => {
    log.connects.push({ authority: req.url ?? "", headers: req.headers });
    const [host, port] = (req.url ?? "").split(/:(?=\d+$)/);
    const upstream = connect(Number(port), host === "localhost" ? "127.0.0.1" : host!, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
