import { test } from "uvu";
import * as assert from "uvu/assert";
import { networkFailure } from "../../src/telnyx/network-error.js";

const target = { host: "api.telnyx.com", timeoutMs: 30_000 };
const failure = (code: string, extra: object = {}) =>
  networkFailure(Object.assign(new Error("request failed"), { code }), { ...target, ...extra });

test("every certificate problem is worded, names the API's host, and is not retried", () => {
  const cases: [string, string][] = [
    ["SELF_SIGNED_CERT_IN_CHAIN", "the TLS certificate of api.telnyx.com is not trusted (self-signed)"],
    [
      "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      "the TLS certificate of api.telnyx.com is not trusted (issued by an authority this machine does not know)",
    ],
    [
      "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
      "the TLS certificate of api.telnyx.com is not trusted (issued by an authority this machine does not know)",
    ],
    ["CERT_HAS_EXPIRED", "the TLS certificate of api.telnyx.com has expired"],
    ["CERT_NOT_YET_VALID", "the TLS certificate of api.telnyx.com is not valid yet"],
    [
      "ERR_SSL_WRONG_VERSION_NUMBER",
      "the TLS handshake with api.telnyx.com failed (error ERR_SSL_WRONG_VERSION_NUMBER)",
    ],
  ];
  for (const [code, reason] of cases) {
    const result = failure(code, { proxyHost: "proxy.example:3128" });
    assert.is(result.reason, reason, code);
    assert.is(result.retry, false, code);
    assert.ok(result.advice.length > 0, code);
  }
  assert.is(failure("CERT_HAS_EXPIRED").advice, "check this machine's clock and --base-url / TELNYX_BASE_URL");
});

test("connection problems are worded, name the proxy when there is one, and are retried unless the name does not exist", () => {
  assert.equal(failure("ENOTFOUND"), {
    reason: "cannot resolve api.telnyx.com",
    advice: "check --base-url / TELNYX_BASE_URL and your DNS",
    retry: false,
    notSent: true,
  });
  assert.equal(
    failure("ENOTFOUND", { proxyHost: "proxy.example:3128" }).advice,
    "check HTTPS_PROXY / HTTP_PROXY and your DNS",
  );
  assert.equal(failure("EAI_AGAIN"), {
    reason: "the DNS lookup of api.telnyx.com failed for now",
    advice: "check your network and DNS",
    retry: true,
    notSent: true,
  });
  assert.equal(failure("ETIMEDOUT", { proxyHost: "proxy.example:3128" }), {
    reason: "connecting to the proxy proxy.example:3128 timed out",
    advice: "check the network, a firewall, and HTTPS_PROXY / HTTP_PROXY",
    retry: true,
    notSent: false,
  });
  assert.equal(failure("ECONNRESET").reason, "the connection to api.telnyx.com was cut");
  assert.equal(failure("ECONNRESET").notSent, false, "a cut connection may come after the API did the work");
  assert.equal(failure("EHOSTUNREACH").reason, "no network route to api.telnyx.com");
  assert.equal(failure("EWHATEVER").reason, "the connection to api.telnyx.com failed (error EWHATEVER)");
});

test("our own timeout says how long roster waited and how to wait longer", () => {
  const abort = Object.assign(new Error("aborted"), { name: "AbortError" });
  assert.equal(networkFailure(abort, { ...target, timeoutMs: 1500 }), {
    reason: "no answer within 1.5 s (timeout)",
    advice: "check the network, or give the API more time with --timeout",
    retry: true,
    notSent: false,
  });
});

test.run();
