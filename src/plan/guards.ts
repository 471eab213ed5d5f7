import { GUARD_KEYS, type GuardKey } from "../manifest/guard-keys.js";
import type { GuardSettings } from "../manifest/manifest.js";
import type { Plan } from "./plan.js";
import { groupKey } from "../core/groups.js";
import { plural } from "../core/plural.js";
import { clip, sanitize } from "../core/safe-text.js";

/** With no guard configured, a plan removing more than this share of an organization is refused... */
export const DEFAULT_MAX_REMOVAL_PERCENT = 25;
/** ...once the organization has at least this many users (octoDNS's threshold works the same way). */
export const DEFAULT_GUARD_MIN_USERS = 10;

/** The guard limits of one run (the manifest's `guards`, or flags that override them) and whether --force was given. */
export interface GuardOptions extends GuardSettings {
  force?: boolean;
}

/** Whether apply may go ahead with a plan, and if not, which guard tripped with which numbers. */
export interface GuardVerdict {
  allowed: boolean;
  forced: boolean;
  guard?: GuardKey;
  message: string;
}

/** The verdict as every JSON document gives it (`plan --format json`, saved plans): `guard` only when one tripped. */
export function verdictData(verdict: GuardVerdict): GuardVerdict {
  // Both shapes written out, not spread (see rulesOf): one for each account of a plan across accounts.
  const { allowed, forced, guard, message } = verdict;
  return guard ? { allowed, forced, guard, message } : { allowed, forced, message };
}

/** Checks a plan against the privileged-groups, count and percent guards; --force lifts them and nothing else. */
export function checkGuards(
  plan: Pick<Plan, "summary" | "liveCount" | "removals">,
  options: GuardOptions,
): GuardVerdict {
  const remove = plan.summary.remove;
  const total = plan.liveCount;
  const percent = total === 0 ? 0 : (remove / total) * 100;
  const tripped = tripGroupGuard(plan.removals, options) ?? tripGuard(remove, total, percent, options);
  if (!tripped) return { allowed: true, forced: false, message: verdictOk(remove, total, percent, options) };
  // Lifted, the advice to pass --force would contradict what happened: the finding, then who lifted it.
  if (options.force)
    return {
      allowed: true,
      forced: true,
      guard: tripped.guard,
      message: `${tripped.finding}${tripped.sep ?? ": "}lifted by --force`,
    };
  return {
    allowed: false,
    forced: false,
    guard: tripped.guard,
    message: `${tripped.finding}${tripped.sep ?? ": "}${tripped.advice}`,
  };
}

function verdictOk(remove: number, total: number, percent: number, options: GuardSettings): string {
  if (remove === 0) return "no removals: within every guard";
  const share = `would remove ${remove} of ${total} users (${percent.toFixed(1)}%)`;
  // Over the default share in an organization too small for it: say why that is allowed.
  if (
    options.maxRemovalPercent === undefined &&
    total < DEFAULT_GUARD_MIN_USERS &&
    percent > DEFAULT_MAX_REMOVAL_PERCENT
  ) {
    return (
      `${share}: within the guards (the ${DEFAULT_MAX_REMOVAL_PERCENT}% default starts at ` +
      `${DEFAULT_GUARD_MIN_USERS} users)`
    );
  }
  return `${share}: within the guards`;
}

/** The most privileged removals a verdict names before "and N more". */
const NAMED_IN_VERDICT = 5;

/**
 * The guard on removing members of privileged groups: each removal in one of them (or whose groups the API
 * did not give, which cannot be told apart) is named with its group.
 */
/** A guard that tripped: what it found, what to do, and what joins them. */
interface Tripped {
  guard: GuardKey;
  finding: string;
  advice: string;
  sep?: string;
}

function tripGroupGuard(removals: Plan["removals"], options: GuardSettings): Tripped | undefined {
  const guarded = new Set((options.requireForceForGroups ?? []).map(groupKey));
  if (guarded.size === 0) return undefined;
  const privileged = removals.flatMap((removal) => {
    if (removal.groups === null) return [`${removal.email} (groups unknown)`];
    const groups = removal.groups.filter((name) => guarded.has(groupKey(name)));
    return groups.length > 0 ? [`${removal.email} (${groups.join(", ")})`] : [];
  });
  if (privileged.length === 0) return undefined;
  // The verdict is printed as it is in every format: the API's spellings are made safe here.
  const named = privileged.slice(0, NAMED_IN_VERDICT).map((who) => sanitize(clip(who, 120)));
  const more = privileged.length > NAMED_IN_VERDICT ? ` and ${privileged.length - NAMED_IN_VERDICT} more` : "";
  return {
    guard: GUARD_KEYS.requireForceForGroups,
    finding:
      `would remove ${plural(privileged.length, "member")} of ` +
      `${[...guarded].map((name) => sanitize(clip(name, 40))).join(", ")}, listed in require_force_for_groups: ${named.join(", ")}${more}`,
    advice: "review the plan, then pass --force",
    // The finding ends with a list after a colon: a semicolon closes it.
    sep: "; ",
  };
}

function tripGuard(remove: number, total: number, percent: number, options: GuardSettings): Tripped | undefined {
  const share = `would remove ${remove} of ${total} users (${percent.toFixed(1)}%)`;
  if (options.maxRemovals !== undefined && remove > options.maxRemovals) {
    return {
      guard: GUARD_KEYS.maxRemovals,
      finding: `${share}, over the max_removals guard of ${options.maxRemovals}`,
      advice: "review the plan, then raise guards.max_removals or pass --force",
    };
  }
  const explicit = options.maxRemovalPercent !== undefined;
  const limit = options.maxRemovalPercent ?? DEFAULT_MAX_REMOVAL_PERCENT;
  const applies = explicit || total >= DEFAULT_GUARD_MIN_USERS;
  if (applies && remove > 0 && percent > limit) {
    return {
      guard: GUARD_KEYS.maxRemovalPercent,
      finding: `${share}, over the ${limit}% guard`,
      advice: "review the plan, then raise guards.max_removal_percent or pass --force",
    };
  }
  return undefined;
}
