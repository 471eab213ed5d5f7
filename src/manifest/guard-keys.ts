import { groupKey } from "../core/groups.js";
import type { GuardSettings } from "./manifest.js";

/** Each guard's name in the manifest, saved plans and verdicts, by its name in the code: the one mapping. */
export const GUARD_KEYS = {
  maxRemovals: "max_removals",
  maxRemovalPercent: "max_removal_percent",
  requireForceForGroups: "require_force_for_groups",
} as const satisfies Record<keyof GuardSettings, string>;

/** A guard's name as the manifest and every JSON document write it: "max_removals". */
export type GuardKey = (typeof GUARD_KEYS)[keyof GuardSettings];

/** The guards as the manifest and saved plans write them. */
export type GuardData = { [F in keyof GuardSettings as (typeof GUARD_KEYS)[F]]?: GuardSettings[F] };

const FIELDS = Object.keys(GUARD_KEYS) as (keyof GuardSettings)[];

/** The guards of a manifest or a saved plan, under their names in the code. */
export function guardSettings(data: GuardData | undefined): GuardSettings {
  const settings: GuardSettings = {};
  for (const field of FIELDS) {
    const value = data?.[GUARD_KEYS[field]];
    if (value !== undefined)
      (settings as Record<string, unknown>)[field] = Array.isArray(value) ? value.map(groupKey) : value;
  }
  return settings;
}

/** The guards as a saved plan writes them: only those set, in the manifest's order. */
export function guardData(settings: GuardSettings): GuardData {
  const data: GuardData = {};
  for (const field of FIELDS) {
    const value = settings[field];
    if (value !== undefined) (data as Record<string, unknown>)[GUARD_KEYS[field]] = value;
  }
  return data;
}
