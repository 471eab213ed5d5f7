import { normalizeEmail } from "../core/email.js";
import type { Manifest } from "../manifest/manifest.js";
import { groupKey, sameGroups } from "../core/groups.js";
import { groupNamesOf, type OrganizationUser } from "../core/organization-user.js";
import type { Protection } from "./protection.js";
import { judge, rulesOf } from "./rules.js";

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

/** A live user the plan removes, with what the executor and the audit log need. */
export interface Removal extends LiveEntry {
  action: "remove";
  record_type: string;
  created_at: string | null;
}

/** A live user the manifest does not list but roster never removes. */
export interface ProtectedUser extends LiveEntry, Protection {}

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
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** An entry with its email as compared, computed once. */
interface Keyed<T> {
  key: string;
  item: T;
}
/** In the order of the compared emails, then of their spellings: the same order whatever case the API uses. */
const sorted = <T extends { email: string }>(items: Keyed<T>[]): T[] =>
  items.sort((a, b) => compare(a.key, b.key) || compare(a.item.email, b.item.email)).map(({ item }) => item);

/** What apply would do with these live users under this manifest: pure, built without I/O. */
export function planRemovals(
  manifest: Pick<Manifest, "users" | "protect"> & Partial<Pick<Manifest, "protectAt" | "protectGroups">>,
  liveUsers: readonly OrganizationUser[],
): Plan {
  const rules = rulesOf(manifest);
  const removals: Keyed<Removal>[] = [];
  const protectedUsers: Keyed<ProtectedUser>[] = [];
  const kept: Keyed<LiveEntry>[] = [];
  const present = new Set<string>();
  const groupsInUse = new Set<string>();
  const listed = new Map(manifest.users.map((user) => [user.email, user]));
  const drift: Keyed<GroupDrift>[] = [];
  const driftUnknown: Keyed<GroupDriftUnknown>[] = [];
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
    for (const name of groups ?? []) groupsInUse.add(groupKey(name));
    if (groups === null) groupsUnknown += 1;
    const key = normalizeEmail(user.email);
    present.add(key);
    const verdict = judge(user, rules, key);
    if (verdict.kind === "keep") {
      kept.push({ key, item: entry });
      const wanted = listed.get(key);
      if (wanted?.groups && groups && !sameGroups(groups, wanted.groups)) {
        drift.push({
          key,
          item: { email: user.email, live: groups, manifest: wanted.groups, line: wanted.position.line },
        });
      } else if (wanted?.groups && groups === null) {
        // Never guessed: not drift, not "no drift" either; the plan says it could not be checked.
        driftUnknown.push({ key, item: { email: user.email, manifest: wanted.groups, line: wanted.position.line } });
      }
    } else if (verdict.kind === "protected") {
      const item: ProtectedUser = {
        ...entry,
        reason: verdict.reason,
        ...(verdict.pattern !== undefined ? { pattern: verdict.pattern } : {}),
        ...(verdict.group !== undefined ? { group: verdict.group } : {}),
        ...(verdict.reason === "unknown_record_type"
          ? { record_type: typeof user.record_type === "string" ? user.record_type : "" }
          : {}),
      };
      protectedUsers.push({ key, item });
    } else {
      removals.push({
        key,
        item: { action: "remove", ...entry, record_type: user.record_type, created_at: user.created_at ?? null },
      });
    }
  }
  const missing = manifest.users
    .filter((user) => !present.has(user.email))
    .map((user) => ({
      key: user.email,
      item: { email: user.written.trim(), line: user.position.line, col: user.position.col },
    }));
  const presentEmails = [...present];
  const unusedPatterns = rules.patterns
    .map((pattern, index) => ({ pattern, at: manifest.protectAt?.[index] }))
    .filter(({ pattern }) => !presentEmails.some((email) => pattern.matches(email)))
    .map(({ pattern, at }) => ({ pattern: pattern.pattern, ...(at ? { line: at.line, col: at.col } : {}) }));
  const unusedGroups = (manifest.protectGroups ?? [])
    .filter((group) => !groupsInUse.has(group.name))
    .map((group) => ({
      group: group.name,
      line: group.position.line,
      col: group.position.col,
      ...(groupsUnknown > 0 ? { groupsUnknown } : {}),
    }));
  return {
    summary: {
      remove: removals.length,
      keep: kept.length,
      protected: protectedUsers.length,
      missing: missing.length,
      group_drift: drift.length,
    },
    removals: sorted(removals),
    protected: sorted(protectedUsers),
    kept: sorted(kept),
    missing: sorted(missing),
    liveCount: liveUsers.length,
    ...(unusedPatterns.length > 0 ? { unusedPatterns } : {}),
    ...(unusedGroups.length > 0 ? { unusedGroups } : {}),
    groupDrift: sorted(drift),
    ...(driftUnknown.length > 0 ? { groupDriftUnknown: sorted(driftUnknown) } : {}),
  };
}

/** Where a plan came from, for the headers of reviews and diffs: the manifest's path and the API's host. */
export interface PlanSource {
  manifest: string;
  host: string;
}
