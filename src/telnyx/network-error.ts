/** A request that got no answer, in words, and what roster does about it. */
export interface NetworkFailure {
  /** What happened, short enough for a retry line: "cannot resolve api.example.com". */
  reason: string;
  /** What to do, added to the final error. */
  advice: string;
  /** Whether another attempt may go better: a DNS name that does not exist or a bad certificate will not. */
  retry: boolean;
  /** The request cannot have reached the API (no connection was made): a removal refused this way did not happen. */
  notSent: boolean;
}

/** Where the request was going: the API's host, and the proxy's when it goes through one. */
export interface NetworkTarget {
  host: string;
  proxyHost?: string;
  timeoutMs: number;
}

const BASE_URL = "--base-url / TELNYX_BASE_URL";
const BASE_URL_ADVICE = `check ${BASE_URL}`;
const PROXY = "HTTPS_PROXY / HTTP_PROXY";
const UNTRUSTED_ADVICE =
  "if a proxy or gateway on your network inspects TLS, give its CA certificate with NODE_EXTRA_CA_CERTS=ca.pem; " +
  "otherwise check --base-url / TELNYX_BASE_URL";
const SELF_SIGNED = new Set(["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN"]);
const UNKNOWN_ISSUER = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "INVALID_CA",
]);

/**
 * Words for a request that failed without an answer (node's error code, or our own timeout). A connection
 * error names the proxy when there is one, since that is what roster connects to; a certificate error names
 * the API's host, whose certificate it is. Certificate errors are not retried: they will not get better.
 */
export function networkFailure(error: unknown, target: NetworkTarget): NetworkFailure {
  const err = error as { name?: string; code?: string; type?: string; message?: string } | undefined;
  const { host } = target;
  const peer = target.proxyHost ? `the proxy ${target.proxyHost}` : host;
  const peerSetting = target.proxyHost ? PROXY : BASE_URL;
  const checkPeer = `check ${peerSetting}`;
  const fail = (reason: string, advice: string, retry: boolean, notSent: boolean): NetworkFailure => ({
    reason,
    advice,
    retry,
    notSent,
  });
  if (err?.name === "AbortError" || err?.type === "aborted") {
    const seconds = Number((target.timeoutMs / 1000).toFixed(3));
    return fail(
      `no answer within ${seconds} s (timeout)`,
      "check the network, or give the API more time with --timeout",
      true,
      false,
    );
  }
  const code = err?.code ?? "";
  if (code === "ENOTFOUND")
    return fail(`cannot resolve ${target.proxyHost ?? host}`, `${checkPeer} and your DNS`, false, true);
  if (code === "EAI_AGAIN")
    return fail(
      `the DNS lookup of ${target.proxyHost ?? host} failed for now`,
      "check your network and DNS",
      true,
      true,
    );
  if (code === "ECONNREFUSED")
    return fail(`${peer} refused the connection (nothing listens at that port)`, checkPeer, true, true);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ENETDOWN")
    return fail(`no network route to ${peer}`, "check the network connection", true, true);
  if (code === "ETIMEDOUT")
    return fail(`connecting to ${peer} timed out`, `check the network, a firewall, and ${peerSetting}`, true, false);
  if (code === "ECONNRESET" || code === "EPIPE" || /socket hang up/i.test(err?.message ?? "")) {
    return fail(`the connection to ${peer} was cut`, "check the network or the proxy", true, false);
  }
  if (SELF_SIGNED.has(code))
    return fail(`the TLS certificate of ${host} is not trusted (self-signed)`, UNTRUSTED_ADVICE, false, true);
  if (UNKNOWN_ISSUER.has(code))
    return fail(
      `the TLS certificate of ${host} is not trusted (issued by an authority this machine does not know)`,
      UNTRUSTED_ADVICE,
      false,
      true,
    );
  if (code === "CERT_HAS_EXPIRED")
    return fail(
      `the TLS certificate of ${host} has expired`,
      `check this machine's clock and ${BASE_URL}`,
      false,
      true,
    );
  if (code === "CERT_NOT_YET_VALID")
    return fail(
      `the TLS certificate of ${host} is not valid yet`,
      `check this machine's clock and ${BASE_URL}`,
      false,
      true,
    );
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return fail(
      `the TLS certificate of ${host} is for other host names`,
      `${BASE_URL_ADVICE} (the Telnyx API is https://api.telnyx.com/v2)`,
      false,
      true,
    );
  }
  if (code === "EPROTO" || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || code.startsWith("CERT_")) {
    return fail(
      `the TLS handshake with ${host} failed (error ${code})`,
      `${BASE_URL_ADVICE}: is it an https server?`,
      false,
      true,
    );
  }
  return fail(
    code ? `the connection to ${peer} failed (error ${code})` : `the connection to ${peer} failed`,
    "check the network",
    true,
    false,
  );
}
