import { GROUP_NAME_SHOWN } from "../core/groups.js";
import { clip } from "../core/safe-text.js";
/** How a format shows the values inside a protection's words: plain text, Markdown code, ... */
export interface ValueStyle {
  pattern(text: string): string;
  recordType(text: string): string;
  group(text: string): string;
}

/** The facts one protection is worded from, beside its reason. */
export interface ProtectionFacts {
  /** The protect pattern that matched, for reason "pattern". */
  pattern?: string | undefined;
  /** The record type as the API gave it, for reason "unknown_record_type". */
  record_type?: string | undefined;
  /** The protected group the user is in, for reason "group". */
  group?: string | undefined;
}

/** The facts of a protection in the order every JSON document gives them; a new fact is added here. */
const FACT_KEYS = ["pattern", "record_type", "group"] as const satisfies readonly (keyof ProtectionFacts)[];

/** The words of one reason, in the two places a reason is said. */
interface ReasonWording {
  /** Beside the user in every plan format: "organization owner". */
  note(facts: ProtectionFacts, style: ValueStyle): string;
  /** After "who is" in an error that refuses a removal: "the organization owner". */
  whoIs(facts: ProtectionFacts): string;
}

/**
 * Every reason a user the manifest does not list is still never removed, with its words: the one place a
 * reason is added (schema/plan.schema.json lists the names too, and a test holds the two equal). The keys
 * are the reasons as `plan --format json` and saved plans name them.
 */
const REASONS = {
  owner: {
    note: () => "organization owner",
    whoIs: () => "the organization owner",
  },
  pattern: {
    note: (facts, style) => `matches ${style.pattern(facts.pattern ?? "a protect pattern")}`,
    whoIs: (facts) => `protected by ${facts.pattern ?? "a protect pattern"}`,
  },
  // Only organization_sub_user is ever removed: a record type roster does not know (missing or empty too) stays.
  unknown_record_type: {
    note: (facts, style) =>
      `unknown record type ${style.recordType(facts.record_type ?? "")}: roster removes only organization_sub_user`,
    whoIs: (facts) =>
      `of record type ${JSON.stringify(facts.record_type ?? "")}, which roster does not know and never removes`,
  },
  group: {
    note: (facts, style) => `in protected group ${style.group(facts.group ?? "")}`,
    whoIs: (facts) => `in the protected group ${JSON.stringify(clip(facts.group ?? "", GROUP_NAME_SHOWN))}`,
  },
  // The manifest protects groups but the API did not say which groups this user is in: never guessed.
  groups_unknown: {
    note: () => "groups unknown: the API did not list them, and the manifest protects groups",
    whoIs: () => "of unknown groups while the manifest protects groups",
  },
} satisfies Record<string, ReasonWording>;

/** Why a user the manifest does not list is still never removed: a key of the table above. */
export type ProtectionReason = keyof typeof REASONS;

/** Every protection reason, in the table's order. */
export const PROTECTION_REASONS = Object.keys(REASONS) as ProtectionReason[];

/** A protection: its reason and the facts behind it. */
export interface Protection extends ProtectionFacts {
  reason: ProtectionReason;
}

/** Why a protected user stays, as a plan shows it beside the user, its values shown in `style`. */
export function protectionNote(protection: Protection, style: ValueStyle): string {
  return REASONS[protection.reason].note(protection, style);
}

/** Why a protected user is never removed, in words: "the organization owner", "protected by *@x". */
export function protectionWords(
  verdict: { reason: ProtectionReason; pattern?: string | undefined; group?: string | undefined },
  recordType?: string,
): string {
  return REASONS[verdict.reason].whoIs({ pattern: verdict.pattern, record_type: recordType, group: verdict.group });
}

/** The facts of a protection that it has, in their order, for a JSON document. */
export function protectionFacts(protection: ProtectionFacts): ProtectionFacts {
  const facts: ProtectionFacts = {};
  for (const key of FACT_KEYS) if (protection[key] !== undefined) facts[key] = protection[key];
  return facts;
}
