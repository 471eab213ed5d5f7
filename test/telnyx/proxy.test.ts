import { test } from "uvu";
import * as assert from "uvu/assert";
import { bypassesProxy, proxyFor } from "../../src/telnyx/proxy.js";
import { rateLimitWaitMs } from "../../src/telnyx/rate-limit.js";

const API = new URL("https://api.telnyx.com/v2");
const SANDBOX = new URL("http://127.0.0.1:8080/v2");
const proxy = (target: URL, env: NodeJS.ProcessEnv) => proxyFor(target, env)?.href;

test("https goes through HTTPS_PROXY (lower case first), else ALL_PROXY, else direct", () => {
  assert.is(proxy(API, {}), undefined);
  assert.is(proxy(API, { HTTPS_PROXY: "http://proxy.corp:3128" }), "http://proxy.corp:3128/");
  assert.is(proxy(API, { https_proxy: "http://lower:1", HTTPS_PROXY: "http://upper:2" }), "http://lower:1/");
  assert.is(proxy(API, { ALL_PROXY: "http://all:3" }), "http://all:3/");
  assert.is(proxy(API, { HTTP_PROXY: "http://only-for-http:4" }), undefined, "http_proxy is not for https");
});

test("a proxy without a scheme is an http proxy, as for curl", () => {
  assert.is(proxy(API, { HTTPS_PROXY: "proxy.corp:3128" }), "http://proxy.corp:3128/");
});

test("loopback is proxied unless NO_PROXY lists it, as curl does", () => {
  assert.is(proxy(SANDBOX, { HTTP_PROXY: "http://127.0.0.1:3128" }), "http://127.0.0.1:3128/");
  assert.is(proxy(SANDBOX, { HTTP_PROXY: "http://127.0.0.1:3128", NO_PROXY: "localhost,127.0.0.1" }), undefined);
});

test("NO_PROXY matches names, their subdomains, IPs, CIDR ranges and *", () => {
  assert.ok(bypassesProxy("api.telnyx.com", "telnyx.com"));
  assert.ok(bypassesProxy("api.telnyx.com", ".telnyx.com"));
  assert.ok(bypassesProxy("API.Telnyx.com", " example.org , TELNYX.COM "));
  assert.not.ok(bypassesProxy("api.telnyx.com", "nyx.com"));
  assert.not.ok(bypassesProxy("telnyx.com.evil.example", "telnyx.com"));
  assert.ok(bypassesProxy("127.0.0.1", "127.0.0.0/8"));
  assert.not.ok(bypassesProxy("10.0.0.1", "127.0.0.0/8"));
  assert.ok(bypassesProxy("[::1]", "::1"));
  assert.ok(bypassesProxy("anything", "*"));
  assert.not.ok(bypassesProxy("api.telnyx.com", ""));
});

test("plain http through a proxy elsewhere is refused: the key would be readable on the way", () => {
  assert.throws(
    () => proxyFor(SANDBOX, { HTTP_PROXY: "http://proxy.corp:3128" }),
    /refusing to send the API key over plain http through the proxy at proxy\.corp:3128 \(from HTTP_PROXY\): add 127\.0\.0\.1 to NO_PROXY/,
  );
});

test("a bad or unsupported proxy is named by its variable, never by its value (it may hold a password)", () => {
  assert.throws(
    () => proxyFor(API, { HTTPS_PROXY: "http://user:s3cret@[bad" }),
    (e: Error) => e.message === "HTTPS_PROXY is not a valid proxy URL: give one such as http://proxy.example.com:3128",
  );
  assert.throws(
    () => proxyFor(API, { HTTPS_PROXY: "socks5://user:s3cret@proxy:1080" }),
    (e: Error) => e.message === "HTTPS_PROXY names a socks5 proxy: roster supports http:// and https:// proxies",
  );
});

test("a 429's wait: Retry-After in seconds or as a date, else x-ratelimit-reset, capped at a minute", () => {
  const headers = (h: Record<string, string>) => new Headers(h);
  const now = Date.parse("2026-11-28T12:00:00Z");
  assert.is(rateLimitWaitMs(headers({ "retry-after": "3", "x-ratelimit-reset": "30" }), now), 3000);
  assert.is(rateLimitWaitMs(headers({ "retry-after": "Sat, 28 Nov 2026 12:00:05 GMT" }), now), 5000);
  assert.is(rateLimitWaitMs(headers({ "x-ratelimit-reset": "2" }), now), 2000);
  assert.is(rateLimitWaitMs(headers({ "x-ratelimit-reset": "0.25" }), now), 250);
  assert.is(rateLimitWaitMs(headers({ "x-ratelimit-reset": "3600" }), now), 60_000);
  assert.is(rateLimitWaitMs(headers({ "x-ratelimit-reset": "soon" }), now), undefined);
  assert.is(rateLimitWaitMs(headers({}), now), undefined);
});

test.run();
