/**
 * Whether output at a terminal may be coloured: not when `NO_COLOR` holds any value (no-color.org) or
 * `FORCE_COLOR` is 0 or false (the convention chalk and Node follow). Only ink's views colour anything.
 */
export function colorWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR?.trim().toLowerCase();
  return force !== "0" && force !== "false";
}
