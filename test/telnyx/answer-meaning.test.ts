import { test } from "uvu";
import * as assert from "uvu/assert";
import { answerMeaning, FIRST_ATTEMPT, MAX_RATE_LIMITED, type AttemptState } from "../../src/telnyx/answer-meaning.js";

const answer = (status: number) => ({ kind: "answer" as const, status });
const network = (notSent: boolean, retry = true) => ({ kind: "network" as const, notSent, retry });

test("a success or an error not worth repeating is returned as it is, after one attempt", () => {
  for (const status of [200, 400, 403, 404])
    assert.equal(
      answerMeaning("POST", FIRST_ATTEMPT, answer(status), 5),
      { kind: "return", state: FIRST_ATTEMPT },
      `status ${status}`,
    );
});

test("a 401 halts: the key is refused, for this request and every other", () => {
  assert.is(answerMeaning("GET", FIRST_ATTEMPT, answer(401), 5).kind, "halt");
});

test("a 5xx on a removal is retried with backoff, and a 404 after it may be the removal having happened", () => {
  const meaning = answerMeaning("POST", FIRST_ATTEMPT, answer(503), 5);
  assert.equal(meaning, {
    kind: "retry",
    wait: "backoff",
    state: { failures: 1, rateLimited: 0, ambiguousEarlier: true },
  });
  assert.is(
    answerMeaning("GET", FIRST_ATTEMPT, answer(503), 5).state.ambiguousEarlier,
    false,
    "a read changes nothing",
  );
});

test("retries stop at --max-retries, and the last answer is returned", () => {
  const used: AttemptState = { failures: 2, rateLimited: 0, ambiguousEarlier: false };
  assert.is(answerMeaning("GET", used, answer(500), 2).kind, "return");
  assert.is(answerMeaning("GET", used, network(false), 2).kind, "fail");
});

test("a 429 waits for the rate limit without using up --max-retries, up to its own limit", () => {
  const used: AttemptState = { failures: 5, rateLimited: 0, ambiguousEarlier: false };
  assert.equal(answerMeaning("POST", used, answer(429), 5), {
    kind: "retry",
    wait: "rate-limit",
    state: { ...used, rateLimited: 1 },
  });
  assert.is(answerMeaning("POST", { ...used, rateLimited: MAX_RATE_LIMITED }, answer(429), 5).kind, "return");
});

test("no answer: a refused connection never reached the API; a cut one may have; a failure that will not get better is not retried", () => {
  assert.is(answerMeaning("POST", FIRST_ATTEMPT, network(true), 5).state.ambiguousEarlier, false);
  assert.is(answerMeaning("POST", FIRST_ATTEMPT, network(false), 5).state.ambiguousEarlier, true);
  assert.is(answerMeaning("POST", FIRST_ATTEMPT, network(false, false), 5).kind, "fail");
});

test.run();
