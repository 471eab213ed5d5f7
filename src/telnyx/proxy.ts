import { BlockList, isIP } from "node:net";
import { ApiError } from "./api-error.js";
import { isLoopbackHost } from "./base-url.js";

/**
 * The proxy to reach `target` through, read from the environment as curl reads it: `https_proxy` for https
 * (then `all_proxy`), `http_proxy` for http, lower case before upper case, and `no_proxy` to go direct.
 * Like curl, loopback is proxied unless `no_proxy` lists it. Undefined means a direct connection.
 */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const scheme = target.protocol.replace(/:$/, "");
  const read = (name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || "";
  // curl reads only lower-case http_proxy (a CGI script's HTTP_PROXY can come from a request header); roster
  // is no CGI script, so it takes HTTP_PROXY too, as Go and Python's requests do.
  const variable = [`${scheme}_proxy`, "all_proxy"].find((name) => read(name) !== "");
  if (!variable) return undefined;
  if (bypassesProxy(target.hostname, read("no_proxy"))) return undefined;
  const proxy = parseProxyUrl(read(variable), variable.toUpperCase());
  if (scheme === "http" && !isLoopbackHost(proxy.hostname)) {
    // Through a forward proxy a plain-http request, its Authorization header included, is readable on the way.
    throw new ApiError(
      "config",
      `refusing to send the API key over plain http through the proxy at ${proxy.host} (from ` +
        `${variable.toUpperCase()}): add ${target.hostname} to NO_PROXY`,
    );
  }
  return proxy;
}

/**
 * Whether `no_proxy` (curl's syntax: comma-separated names, domain suffixes, IPs, CIDR ranges, or `*`) lists `host`.
 */
export function bypassesProxy(host: string, noProxy: string): boolean {
  const name = host
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "")
    .toLowerCase();
  for (const raw of noProxy.split(",")) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, "$1");
    if (entry === "") continue;
    if (entry === "*") return true;
    if (isIP(name) !== 0) {
      if (entry.includes("/") ? inRange(name, entry) : entry === name) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, "").replace(/\.$/, "");
    if (name === domain || name.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function inRange(address: string, cidr: string): boolean {
  const [network, bits] = cidr.split("/");
  const family = isIP(network ?? "");
  if (family === 0 || family !== isIP(address) || !/^\d+$/.test(bits ?? "")) return false;
  const list = new BlockList();
  try {
    list.addSubnet(network!, Number(bits), family === 4 ? "ipv4" : "ipv6");
  } catch {
    return false;
  }
  return list.check(address, family === 4 ? "ipv4" : "ipv6");
}

function parseProxyUrl(raw: string, variable: string): URL {
  // As curl does, a proxy given without a scheme is an http proxy.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The value may hold the proxy's password: name the variable, never its value.
    throw new ApiError(
      "config",
      `${variable} is not a valid proxy URL: give one such as http://proxy.example.com:3128`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ApiError(
      "config",
      `${variable} names a ${url.protocol.replace(/:$/, "")} proxy: roster supports http:// and https:// proxies`,
    );
  }
  return url;
}
