import { test } from "uvu";
import * as assert from "uvu/assert";
import type { RemovalResult } from "../../src/apply/apply-plan.js";
import type { AccountsVerification } from "../../src/apply/verify.js";
import {
  accountsVerificationText,
  applyJson,
  NOTHING_APPLIED,
  verificationText,
} from "../../src/render/apply-report.js";

// What apply ends with after reading the organization again: who is left, and what became of their removal.

const users = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `id-${i + 1}`,
    email: `left${String(i + 1).padStart(2, "0")}@example.com`,
  }));
const removal = (id: string, email: string) => ({
  action: "remove" as const,
  id,
  email,
  user_status: "enabled",
  last_sign_in_at: null,
  record_type: "organization_sub_user",
  created_at: null,
  groups: [],
});

test("not converged names each user left, up to 20, then counts the rest", () => {
  const one = verificationText({ converged: false, remaining: 1, left: users(1) });
  assert.is(
    one,
    "Not converged: 1 user the manifest does not list is still in the organization; run roster apply again.\n  - left01@example.com\n",
  );
  const many = verificationText({ converged: false, remaining: 23, left: users(23) }).split("\n");
  assert.is(many.filter((l) => l.startsWith("  - ")).length, 20);
  assert.is(many[20], "  - left20@example.com");
  assert.is(many[21], "  and 3 more");
});

test("a user left whose removal failed in this run says so, with its attempts and the API's answer", () => {
  const failed: RemovalResult = {
    removal: removal("id-1", "left01@example.com"),
    outcome: "failed",
    status: 500,
    attempts: 3,
    error: "POST /organizations/users/id-1/actions/remove answered 500",
    finishedAt: "2026-12-01T00:00:00Z",
  };
  const text = verificationText({ converged: false, remaining: 2, left: users(2) }, [failed]);
  assert.match(
    text,
    "\n  - left01@example.com: removal failed: POST /organizations/users/id-1/actions/remove answered 500 (after 3 attempts)\n  - left02@example.com\n",
  );
});

test("converged and unreadable read as before; the JSON keeps its shape, without the names", () => {
  assert.is(
    verificationText({ converged: true, remaining: 0, left: [] }),
    "Verified: the organization now matches the manifest.\n",
  );
  assert.is(
    verificationText({ converged: false, error: "GET /organizations/users answered 503" }),
    "Could not verify: GET /organizations/users answered 503; run roster plan to check.\n",
  );
  assert.equal(applyJson(NOTHING_APPLIED, { converged: false, remaining: 1, left: users(1) }).verified, {
    converged: false,
    remaining: 1,
  });
});

test("two accounts verified read 'both accounts'; one, 'one account'; more, 'all N'", () => {
  const of = (n: number): AccountsVerification => ({
    accounts: Array.from({ length: n }, (_, i) => ({
      account: { id: `acc-${i}`, email: `a${i}@example.com`, organization_name: `Account ${i}` },
      verification: { converged: true, remaining: 0, left: [] },
    })),
    converged: true,
    remaining: 0,
    unreadable: 0,
  });
  assert.is(accountsVerificationText(of(1), []), "Verified: 1 account now matches its manifest.\n");
  assert.is(accountsVerificationText(of(2), []), "Verified: both accounts now match their manifests.\n");
  assert.is(accountsVerificationText(of(3), []), "Verified: all 3 accounts now match their manifests.\n");
});

test.run();
