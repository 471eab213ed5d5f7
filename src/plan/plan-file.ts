import { validate as validatePlanFile } from "../generated/plan-schema.js";
import { normalizeEmail } from "../core/email.js";
import { userIdKey } from "../core/same-record.js";
import { guardSettings, type GuardData } from "../manifest/guard-keys.js";
import type { GuardVerdict } from "./guards.js";
import type { GroupDrift, LiveEntry, MissingUser, Plan, ProtectedUser, Removal } from "./plan.js";
import { expiryProblem, utcToday } from "./lifecycle.js";
import { protectionWords } from "./protection.js";
import { judge } from "./rules.js";
import {
  checksumMatches,
  organizationFingerprint,
  PLAN_FILE_FORMAT,
  savedPlanRules,
  PLAN_FILE_VERSION,
  SavedPlanError,
  type SavedPlan,
} from "./saved-plan.js";

// The document of one organization's plan (format "roster-plan", version 3), as `plan --out` has always
// written it: the whole file for one organization, each account's part of a plan across accounts.

/** The file as written by savedPlanText, once it has passed schema/plan.schema.json. */
interface PlanFile {
  format: string;
  format_version: number;
  created_at: string;
  api_host: string;
  manifest: {
    path: string;
    sha256: string;
    desired_emails: string[];
    desired_expires?: Record<string, string>;
    protect: string[];
    protect_groups: string[];
    guards: GuardData;
  };
  organization: { fingerprint: string; live_count: number };
  guard: GuardVerdict;
  summary: Plan["summary"];
  removals: Removal[];
  kept: LiveEntry[];
  protected: ProtectedUser[];
  missing: MissingUser[];
  group_drift: GroupDrift[];
  checksum: string;
}

/** Whether reading a saved plan requires its seal. Every check but the seal is made either way. */
export interface SealOptions {
  /**
   * False for `roster show`, which reads a plan without the key (or with another) and reports the seal
   * apart (planSeal); apply never passes it, so a plan it applies was always sealed with its key.
   */
  requireSeal?: boolean;
}

/**
 * Checks the text of a saved plan and returns it. Pure. Beyond the schema, the plan must agree with itself:
 * its seal (an HMAC keyed by `apiKey`), its counts, its fingerprint over the users it lists, and its own rules, which
 * must judge
 * every removal removable. A plan that fails any of these is refused whole: nothing of it is applied.
 */
export function parseSavedPlan(text: string, file: string, apiKey: string, options: SealOptions = {}): SavedPlan {
  const fail = (why: string): never => {
    throw new SavedPlanError(`${file} ${why}`);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const hint = /\.ya?ml$/i.test(file) ? `; to apply a manifest, run roster apply -f ${file}` : "";
    return fail(`is not a saved plan: it is not JSON${hint}`);
  }
  const head = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  if (head.format !== PLAN_FILE_FORMAT) {
    if ("changes" in head && "summary" in head) {
      fail(
        "is the output of roster plan --format json, which is for reading, not applying: save a plan with roster plan " +
          "--out FILE",
      );
    }
    fail("is not a plan saved by roster plan --out");
  }
  if (head.format_version === 1) {
    fail(
      "was saved by an older roster (plan format version 1, whose checksum anyone could compute again): make the plan " +
        "again with roster plan --out",
    );
  }
  if (head.format_version === 2) {
    fail(
      "was saved by an older roster (plan format version 2, which does not keep users' groups): make the plan again " +
        "with roster plan --out",
    );
  }
  if (head.format_version !== PLAN_FILE_VERSION) {
    fail(
      `has plan format version ${JSON.stringify(head.format_version)}; this roster reads version ` +
        `${PLAN_FILE_VERSION}: make the plan again with this roster`,
    );
  }
  if (!validatePlanFile(data)) {
    const error = validatePlanFile.errors?.[0];
    fail(
      `is not a valid saved plan: at ${error?.instancePath || "the top"}, ${error?.message ?? "invalid"}; make the ` +
        `plan again with roster plan --out`,
    );
  }
  const planFile = data as PlanFile;
  const { checksum, ...body } = planFile;
  if (options.requireSeal !== false) {
    if (!apiKey)
      fail("cannot be checked without the API key it was made with: TELNYX_API_KEY is not set; export it first");
    if (!checksumMatches(body, checksum, apiKey)) {
      fail(
        "was altered after roster saved it, or made with another API key (its checksum does not match): make the plan " +
          "again with roster plan --out",
      );
    }
  }

  const plan: Plan = {
    summary: planFile.summary,
    removals: planFile.removals,
    protected: planFile.protected,
    kept: planFile.kept,
    missing: planFile.missing,
    liveCount: planFile.organization.live_count,
    groupDrift: planFile.group_drift,
    // Reports of the day the plan was made, not kept: apply judges the dates again, and a new plan reports them.
    expiring: [],
    idle: [],
  };
  const live = [...plan.removals, ...plan.protected, ...plan.kept];
  const counts = plan.summary;
  if (
    counts.remove !== plan.removals.length ||
    counts.protected !== plan.protected.length ||
    counts.keep !== plan.kept.length ||
    counts.missing !== plan.missing.length ||
    counts.group_drift !== plan.groupDrift.length ||
    plan.liveCount !== live.length
  ) {
    fail(
      "does not agree with itself: its counts differ from the users it lists; make the plan again with roster plan " +
        "--out",
    );
  }
  // Any id twice, in any letter case, even as the same user: roster never saves a plan so.
  if (new Set(live.map((u) => userIdKey(u.id))).size !== live.length)
    fail("lists a user twice: make the plan again with roster plan --out");
  if (organizationFingerprint(live) !== planFile.organization.fingerprint) {
    fail(
      "does not agree with itself: its fingerprint is not that of the users it lists; make the plan again with roster " +
        "plan --out",
    );
  }
  const desiredEmails = planFile.manifest.desired_emails.map(normalizeEmail);
  const protectGroups = planFile.manifest.protect_groups;
  const savedExpires = Object.entries(planFile.manifest.desired_expires ?? {});
  if (savedExpires.some(([, date]) => expiryProblem(date) !== undefined))
    fail("holds a last day of access that is not a calendar date: make the plan again with roster plan --out");
  const desiredExpires =
    savedExpires.length > 0
      ? Object.fromEntries(savedExpires.map(([email, date]) => [normalizeEmail(email), date]))
      : undefined;
  // The plan's own removals are judged on the day it was made: a user it removed as expired stays removable.
  const madeOn = Date.parse(planFile.created_at);
  if (desiredExpires && Number.isNaN(madeOn))
    fail("does not say when it was made (created_at is not a time): make the plan again with roster plan --out");
  const rules = savedPlanRules(
    { desiredEmails, ...(desiredExpires ? { desiredExpires } : {}), protect: planFile.manifest.protect, protectGroups },
    desiredExpires ? utcToday(new Date(madeOn)) : undefined,
  );
  for (const removal of plan.removals) {
    const verdict = judge(removal, rules);
    if (verdict.kind !== "remove") {
      const who = verdict.kind === "keep" ? "listed in its manifest" : protectionWords(verdict, removal.record_type);
      fail(
        `would remove ${removal.email}, who is ${who}: the file was changed by hand; make the plan again with roster ` +
          `plan --out`,
      );
    }
  }

  const guards = guardSettings(planFile.manifest.guards);
  return {
    createdAt: planFile.created_at,
    apiHost: planFile.api_host,
    manifest: {
      path: planFile.manifest.path,
      sha256: planFile.manifest.sha256,
      desiredEmails,
      ...(desiredExpires ? { desiredExpires } : {}),
      protect: planFile.manifest.protect,
      protectGroups,
      guards,
    },
    fingerprint: planFile.organization.fingerprint,
    plan,
    verdict: planFile.guard,
  };
}
