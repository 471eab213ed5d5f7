import http from "node:http";
import https from "node:https";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import { parseBaseUrl } from "./base-url.js";
import { httpSender, type SendOptions, type SentAnswer } from "./http-send.js";
import { proxyFor } from "./proxy.js";

/**
 * Keep-alive sockets shared by the clients of one run across managed accounts: each client sends its own key
 * in each request's header and paces its own requests, but a managed account's first request need not open a
 * connection of its own (across 200 accounts, 200 connections fewer). The first client to send makes the
 * agent, with its base URL and proxy; `close` destroys it, once every client of the run is done.
 */
export class SocketPool {
  /** The agent, once a client has made it. */
  agent: http.Agent | undefined;
  /** The route the pool's first client made, and what it was made from: its clients share it. */
  route: { from: Pick<RouteOptions, "baseUrl" | "baseUrlSource" | "env">; route: ClientRoute } | undefined;
  /** Sockets open at once: as many as the run's bounds can have in flight together. */
  readonly maxSockets: number;

  constructor(maxSockets: number) {
    this.maxSockets = maxSockets;
  }

  close(): void {
    this.agent?.destroy();
  }
}

/** The agent a client sends through, and what its messages say of the proxy (its host, never its credentials). */
export interface ClientAgent {
  agent: http.Agent;
  /** The agent is a pool's, closed by the pool's owner, not by this client. */
  pooled: boolean;
  /** " via the proxy at HOST", or "". */
  via: string;
  proxyHost: string | undefined;
}

/**
 * The keep-alive agent for `baseUrl`: the pool's when given (made by its first client), else one of the
 * client's own. Through a proxy an https request is tunnelled with CONNECT, so the proxy never sees the key; a
 * plain http request (loopback only, see proxyFor) is forwarded.
 */
export function clientAgent(
  baseUrl: URL,
  env: NodeJS.ProcessEnv,
  maxSockets: number | undefined,
  sockets: SocketPool | undefined,
): ClientAgent {
  const agentOptions = { keepAlive: true, maxSockets: sockets?.maxSockets ?? maxSockets ?? 64 };
  const proxy = proxyFor(baseUrl, env);
  const secure = baseUrl.protocol === "https:";
  const makeAgent = (): http.Agent => {
    if (proxy) return secure ? new HttpsProxyAgent(proxy, agentOptions) : new HttpProxyAgent(proxy, agentOptions);
    return secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  };
  return {
    agent: sockets ? (sockets.agent ??= makeAgent()) : makeAgent(),
    pooled: sockets !== undefined,
    via: proxy ? ` via the proxy at ${proxy.host}` : "",
    proxyHost: proxy?.host,
  };
}

/** What a client's route is made from. */
export interface RouteOptions {
  baseUrl: string;
  baseUrlSource?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  maxSockets?: number | undefined;
  sockets?: SocketPool | undefined;
}

/** Where and how a client sends: its base URL (checked), its agent, and the sender of one attempt. */
export interface ClientRoute {
  baseUrl: URL;
  agent: ClientAgent;
  send: (options: SendOptions) => Promise<SentAnswer>;
}

/**
 * The route of a client: the base URL parsed and checked, the agent (and proxy) chosen, the sender made. The clients
 * of one pool made with the same base URL and environment share the first one's: across 1,000 managed accounts,
 * parsing, reading the proxy variables and making the sender again cost each client tens of microseconds.
 */
export function clientRoute(options: RouteOptions): ClientRoute {
  const pool = options.sockets;
  const { baseUrl: raw, baseUrlSource: source, env } = options;
  const made = pool?.route;
  if (made && made.from.baseUrl === raw && made.from.baseUrlSource === source && made.from.env === env)
    return made.route;
  const baseUrl = parseBaseUrl(raw, source);
  const route = {
    baseUrl,
    agent: clientAgent(baseUrl, env ?? process.env, options.maxSockets, pool),
    send: httpSender(baseUrl),
  };
  if (pool) pool.route = { from: { baseUrl: raw, baseUrlSource: source, env }, route };
  return route;
}
