import { normalizeEmail } from "../core/email.js";
import type { Manifest, ProtectedGroup, SourcePosition } from "../manifest/manifest.js";
import { groupKey, sameGroups } from "../core/groups.js";
import { groupNamesOf, type OrganizationUser } from "../core/organization-user.js";
import type { Protection } from "./protection.js";
import { DEFAULT_WARN_BEFORE_EXPIRY_DAYS, expiryOf, idleDays } from "./lifecycle.js";
import { judge, rulesOf, type Rules } from "./rules.js";
import { usersByEmail } from "../manifest/users-by-email.js";

/** A live user as every part of a plan shows it: the email as the API spells it, status and last sign-in. */
export interface LiveEntry {
  id: string;
  /** As the API gave it: shown and saved in this spelling, compared in normalizeEmail's form. */
  email: string;
  user_status: string;
  last_sign_in_at: string | null;
  /** The user's group names as the API gave them (they grant its rights); null when the API did not say. */
  groups: string[] | null;
}

/** Why a plan removes a user: the manifest does not list it, or lists it with a last day that has passed. */
export type RemovalReason = "not_in_manifest" | "expired";

/** A live user the plan removes, with what the executor and the audit log need. */
export interface Removal extends LiveEntry {
  action: "remove";
  record_type: string;
  created_at: string | null;
  /** Why the plan removes the user; absent in plans saved by roster 0.1, where it was always "not_in_manifest". */
  reason?: RemovalReason;
  /** The last day of access the manifest gave, for reason "expired". */
  expires?: string;
}

/**
 * A live user the manifest does not list (or lists with a last day that has passed) but roster never
 * removes. `expires` is that passed day, when there is one: protection wins, and the plan warns that the
 * date cannot be enforced.
 */
export interface ProtectedUser extends LiveEntry, Protection {
  expires?: string;
}

/** A listed user whose last day of access is within the policy's warning days: kept, and listed as expiring soon. */
export interface ExpiringUser {
  /** As the API spells it. */
  email: string;
  expires: string;
  /** Whole days to the last day: 0 on the day itself. */
  days_left: number;
  /** Where the manifest writes the user's `expires:`. */
  line: number;
}

/** A user who stays (listed or protected) but has not signed in for the policy's inactive_after_days: a report. */
export interface IdleUser {
  /** As the API spells it. */
  email: string;
  last_sign_in_at: string | null;
  /** Whole days since the last sign-in, or since the user was created for one who never signed in. */
  idle_days: number;
}

/** What a plan needs of the clock: the day (UTC) its rules of time judge on. */
export interface PlanClock {
  /** The day the plan is made on, YYYY-MM-DD (utcToday of the command's clock). */
  today: string;
  /** The moment idle days are counted to; the start of `today` when not given. */
  now?: Date;
}

/** A manifest user who is not in the organization: roster cannot invite, so the plan only reports it. */
export interface MissingUser {
  /** As written in the manifest. */
  email: string;
  line: number;
  col: number;
}

/** A protect pattern that matches no user of the organization: a typo, or a pattern that outlived its users. */
export interface UnusedPattern {
  pattern: string;
  /** Where the manifest holds it, when known (a saved plan does not keep it). */
  line?: number;
  col?: number;
}

/** A protected group that no live user is in, of those whose groups the API gave: a typo protects nobody. */
export interface UnusedGroup {
  group: string;
  line?: number;
  col?: number;
  /** How many live users the API gave no groups for, when any: the group may have members among them. */
  groupsUnknown?: number;
}

/** A listed user whose manifest says `groups:` but whose groups the API did not give: drift could not be checked. */
export interface GroupDriftUnknown {
  /** As the API spells it. */
  email: string;
  manifest: string[];
  line: number;
}

/** A listed user whose live groups differ from the groups the manifest says: reported, never changed. */
export interface GroupDrift {
  /** As the API spells it. */
  email: string;
  live: string[];
  manifest: string[];
  /** Where the manifest lists the user. */
  line: number;
}

export interface PlanSummary {
  remove: number;
  keep: number;
  protected: number;
  missing: number;
  /** Listed users whose live groups differ from the manifest's: counted, not a change roster can make. */
  group_drift: number;
}

/** What apply would do: a value, built without I/O from the manifest and the live users. */
export interface Plan {
  summary: PlanSummary;
  /** Sorted by email. */
  removals: Removal[];
  protected: ProtectedUser[];
  /** Live users the manifest lists, sorted by email: with the others, the whole live roster. */
  kept: LiveEntry[];
  missing: MissingUser[];
  /** How many distinct users the organization has now. */
  liveCount: number;
  /** Protect patterns that match no live user; every plan format warns about them. Absent in saved plans. */
  unusedPatterns?: UnusedPattern[];
  /** Protected groups no live user is in; warned about like unused patterns. Absent in saved plans. */
  unusedGroups?: UnusedGroup[];
  /** Listed users whose live groups differ from the manifest's `groups:`, sorted by email. */
  groupDrift: GroupDrift[];
  /**
   * Listed users with `groups:` whose groups the API did not give, sorted by email: their drift is unknown. Absent when
   * none, and in saved plans.
   */
  groupDriftUnknown?: GroupDriftUnknown[];
  /**
   * Kept users whose last day is within the policy's warning days, sorted by email; empty when none, and in saved
   * plans.
   */
  expiring: ExpiringUser[];
  /**
   * Users who stay but have been idle for the policy's inactive_after_days, sorted by email; empty when none, and in
   * saved plans.
   */
  idle: IdleUser[];
  /** The policy's inactive_after_days, when the manifest sets it: the idle report is made only then. */
  idleAfterDays?: number;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Entries gathered in any order, given back in the order of their compared emails, then of their spellings: the
 * same order whatever case the API uses. Entries that came in that order already (a list kept sorted) are given
 * back as they came, without a sort.
 */
class EmailOrder<T extends { email: string }> {
  readonly #keys: string[] = [];
  readonly #items: T[] = [];
  #inOrder = true;

  get size(): number {
    return this.#items.length;
  }

  /** Adds `item`, whose email as compared is `key`. */
  push(key: string, item: T): void {
    const last = this.#items.length - 1;
    if (
      this.#inOrder &&
      last >= 0 &&
      (compare(this.#keys[last]!, key) || compare(this.#items[last]!.email, item.email)) > 0
    )
      this.#inOrder = false;
    this.#keys.push(key);
    this.#items.push(item);
  }

  sorted(): T[] {
    if (this.#inOrder) return this.#items;
    const keys = this.#keys;
    const items = this.#items;
    const order = Array.from(items, (_, i) => i);
    order.sort((a, b) => compare(keys[a]!, keys[b]!) || compare(items[a]!.email, items[b]!.email));
    return order.map((i) => items[i]!);
  }
}

/**
 * What apply would do with these live users under this manifest on `options.today`: pure, built without
 * I/O. A manifest with `expires:` needs `options` (rulesOf refuses to judge it without a day). `rules` are the
 * manifest's, rulesOf(manifest, options.today), when the caller has made them already.
 */
export function planRemovals(
  manifest: Pick<Manifest, "users" | "protect"> & Partial<Pick<Manifest, "protectAt" | "protectGroups" | "policy">>,
  liveUsers: readonly OrganizationUser[],
  options?: PlanClock,
  rules: Rules = rulesOf(manifest, options?.today),
): Plan {
  const warnDays = manifest.policy?.warnBeforeExpiryDays ?? DEFAULT_WARN_BEFORE_EXPIRY_DAYS;
  const idleAfter = manifest.policy?.inactiveAfterDays;
  const now = options?.now ?? (options ? new Date(`${options.today}T00:00:00Z`) : undefined);
  const expiring = new EmailOrder<ExpiringUser>();
  const idle = new EmailOrder<IdleUser>();
  const removals = new EmailOrder<Removal>();
  const protectedUsers = new EmailOrder<ProtectedUser>();
  const kept = new EmailOrder<LiveEntry>();
  // The compared emails of the live users, kept only when protect patterns are to be checked for use.
  const present: string[] | undefined = rules.patterns.length > 0 ? [] : undefined;
  const groupsInUse = new Set<string>();
  const listed = usersByEmail(manifest.users);
  // Which of the listed users (by their place in the list) some live user is.
  const found = new Uint8Array(manifest.users.length);
  const drift = new EmailOrder<GroupDrift>();
  const driftUnknown = new EmailOrder<GroupDriftUnknown>();
  let groupsUnknown = 0;
  for (const user of liveUsers) {
    const groups = groupNamesOf(user);
    const entry: LiveEntry = {
      id: user.id,
      email: user.email,
      user_status: user.user_status,
      last_sign_in_at: user.last_sign_in_at ?? null,
      groups,
    };
    if (groups === null) groupsUnknown += 1;
    else for (const name of groups) groupsInUse.add(groupKey(name));
    const key = normalizeEmail(user.email);
    present?.push(key);
    const verdict = judge(user, rules, key);
    const at = listed.get(key);
    const wanted = at === undefined ? undefined : manifest.users[at];
    if (at !== undefined) found[at] = 1;
    const expiry = options ? expiryOf(wanted?.expires, options.today, warnDays) : ({ state: "none" } as const);
    if (verdict.kind !== "remove" && idleAfter !== undefined && now) {
      const days = idleDays(user, now);
      if (days !== null && days >= idleAfter)
        idle.push(key, { email: user.email, last_sign_in_at: entry.last_sign_in_at, idle_days: days });
    }
    if (verdict.kind === "keep") {
      kept.push(key, entry);
      if (expiry.state === "expiring")
        expiring.push(key, {
          email: user.email,
          expires: expiry.expires,
          days_left: expiry.daysLeft,
          line: (wanted!.expiresAt ?? wanted!.position).line,
        });
      if (wanted?.groups && groups && !sameGroups(groups, wanted.groups)) {
        drift.push(key, { email: user.email, live: groups, manifest: wanted.groups, line: wanted.position.line });
      } else if (wanted?.groups && groups === null) {
        // Never guessed: not drift, not "no drift" either; the plan says it could not be checked.
        driftUnknown.push(key, { email: user.email, manifest: wanted.groups, line: wanted.position.line });
      }
    } else if (verdict.kind === "protected") {
      // The entry's fields written out, not spread: V8 gives each object spread from another a shape of its own once
      // the place that spreads has made a few (docs/performance.md).
      const item: ProtectedUser = {
        id: entry.id,
        email: entry.email,
        user_status: entry.user_status,
        last_sign_in_at: entry.last_sign_in_at,
        groups: entry.groups,
        reason: verdict.reason,
        ...(verdict.pattern !== undefined ? { pattern: verdict.pattern } : {}),
        ...(verdict.group !== undefined ? { group: verdict.group } : {}),
        ...(verdict.reason === "unknown_record_type"
          ? { record_type: typeof user.record_type === "string" ? user.record_type : "" }
          : {}),
        ...(expiry.state === "expired" ? { expires: expiry.expires } : {}),
      };
      protectedUsers.push(key, item);
    } else {
      // Written out, not spread, as the protected entry above; `expires` assigned after, so both shapes share one
      // V8 transition.
      const removal: Removal = {
        action: "remove",
        id: entry.id,
        email: entry.email,
        user_status: entry.user_status,
        last_sign_in_at: entry.last_sign_in_at,
        groups: entry.groups,
        record_type: user.record_type,
        created_at: user.created_at ?? null,
        reason: expiry.state === "expired" ? "expired" : "not_in_manifest",
      };
      if (expiry.state === "expired") removal.expires = expiry.expires;
      removals.push(key, removal);
    }
  }
  const missing = new EmailOrder<MissingUser>();
  for (const [at, user] of manifest.users.entries()) {
    // A user listed twice (in a manifest not read from a file) is found as its first listing is.
    if (found[listed.get(user.email) ?? at] === 0)
      missing.push(user.email, { email: user.written.trim(), line: user.position.line, col: user.position.col });
  }
  // Looked for only when there are patterns or groups to look at: most manifests have none, and a chain of map and
  // filter over an empty list here made V8 compile planRemovals again, twice, as its arrays' kinds changed elsewhere.
  const unusedPatterns = rules.patterns.length > 0 ? patternsUnused(rules.patterns, manifest.protectAt, present!) : [];
  const protectGroups = manifest.protectGroups ?? [];
  const unusedGroups = protectGroups.length > 0 ? groupsUnused(protectGroups, groupsInUse, groupsUnknown) : [];
  return {
    summary: {
      remove: removals.size,
      keep: kept.size,
      protected: protectedUsers.size,
      missing: missing.size,
      group_drift: drift.size,
    },
    removals: removals.sorted(),
    protected: protectedUsers.sorted(),
    kept: kept.sorted(),
    missing: missing.sorted(),
    liveCount: liveUsers.length,
    ...(unusedPatterns.length > 0 ? { unusedPatterns } : {}),
    ...(unusedGroups.length > 0 ? { unusedGroups } : {}),
    groupDrift: drift.sorted(),
    ...(driftUnknown.size > 0 ? { groupDriftUnknown: driftUnknown.sorted() } : {}),
    expiring: expiring.sorted(),
    idle: idle.sorted(),
    ...(idleAfter !== undefined ? { idleAfterDays: idleAfter } : {}),
  };
}

/** The protect patterns that match none of the live users' compared emails (`present`), with where each is written. */
function patternsUnused(
  patterns: Rules["patterns"],
  protectAt: readonly SourcePosition[] | undefined,
  present: readonly string[],
): UnusedPattern[] {
  return patterns
    .map((pattern, index) => ({ pattern, at: protectAt?.[index] }))
    .filter(({ pattern }) => !present.some((email) => pattern.matches(email)))
    .map(({ pattern, at }) => ({ pattern: pattern.pattern, ...(at ? { line: at.line, col: at.col } : {}) }));
}

/** The protected groups no live user is in; `groupsUnknown` live users' groups were not given. */
function groupsUnused(
  groups: readonly ProtectedGroup[],
  inUse: ReadonlySet<string>,
  groupsUnknown: number,
): UnusedGroup[] {
  return groups
    .filter((group) => !inUse.has(group.name))
    .map((group) => ({
      group: group.name,
      line: group.position.line,
      col: group.position.col,
      ...(groupsUnknown > 0 ? { groupsUnknown } : {}),
    }));
}

/** Where a plan came from, for the headers of reviews and diffs: the manifest's path and the API's host. */
export interface PlanSource {
  manifest: string;
  host: string;
}
