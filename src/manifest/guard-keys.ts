import type { GuardSettings } from "./manifest.js";

/** Each guard's name in the manifest, saved plans and verdicts, by its name in the code: the one mapping. */
export const GUARD_KEYS = { maxRemovals: "max_removals", maxRemovalPercent: "max_removal_percent" } as const satisfies Record<keyof GuardSettings, string>;

/** A guard's name as the manifest and every JSON document write it: "max_removals". */
export type GuardKey = (typeof GUARD_KEYS)[keyof GuardSettings];

/** The guards as the manifest and saved plans write them. */
export type GuardData = Partial<Record<GuardKey, number>>;

const FIELDS = Object.keys(GUARD_KEYS) as (keyof GuardSettings)[];

/** The guards of a manifest or a saved plan, under their names in the code. */
export function guardSettings(data: GuardData | undefined): GuardSettings {
  const settings: GuardSettings = {};
  for (const field of FIELDS) {
    const value = data?.[GUARD_KEYS[field]];
    if (value !== undefined) settings[field] = value;
  }
  return settings;
}

/** The guards as a saved plan writes them: only those set, in the manifest's order. */
export function guardData(settings: GuardSettings): GuardData {
  const data: GuardData = {};
  for (const field of FIELDS) {
    const value = settings[field];
    if (value !== undefined) data[GUARD_KEYS[field]] = value;
  }
  return data;
}
