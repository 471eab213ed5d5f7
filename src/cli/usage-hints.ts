/** The commands that take no positional argument, and the flag a stray one was most likely meant for. */
const MEANT_FOR = {
  validate: { flag: "-f", what: "the manifest", example: "users.yaml" },
  plan: { flag: "-f", what: "the manifest", example: "users.yaml" },
  review: { flag: "-f", what: "the manifest", example: "users.yaml" },
  export: { flag: "-o", what: "the file to write", example: "users.yaml" },
} as const;

/**
 * The error for positional arguments given to a command that takes none (`roster plan users.yaml`), naming
 * the flag the user most likely meant, instead of commander's "too many arguments".
 */
export function strayArgumentsError(command: keyof typeof MEANT_FOR, operands: readonly string[]): Error {
  const { flag, what, example } = MEANT_FOR[command];
  if (operands.length === 1)
    return new Error(
      `roster ${command} takes ${what} with ${flag}: roster ${command} ${flag} ${shellWord(operands[0]!)}`,
    );
  return new Error(
    `roster ${command} takes no arguments, and was given ${operands.length} (${operands.map(shellWord).join(" ")}): ` +
      `give ${what} with ${flag}, such as roster ${command} ${flag} ${example}`,
  );
}

/**
 * The error for `roster apply` given a manifest (a .yaml or .yml file) where a saved plan goes, or more than
 * one file; undefined when the arguments are a saved plan's.
 */
export function applyArgumentsError(operands: readonly string[]): Error | undefined {
  const manifest = operands.find((operand) => /\.ya?ml$/i.test(operand));
  if (manifest !== undefined) {
    return new Error(
      `roster apply takes the manifest with -f: roster apply -f ${shellWord(manifest)} (a file given without -f is a ` +
        `plan saved by roster plan --out)`,
    );
  }
  if (operands.length > 1) {
    return new Error(
      `roster apply takes one saved plan, and was given ${operands.length} files ` +
        `(${operands.map(shellWord).join(" ")}): apply one plan at a time`,
    );
  }
  return undefined;
}

/** The error for `roster show` given a manifest where a saved plan goes; undefined for anything else. */
export function showArgumentsError(planFile: string): Error | undefined {
  if (!/\.ya?ml$/i.test(planFile)) return undefined;
  return new Error(
    `roster show reads a plan saved by roster plan --out; to see the plan of the manifest ${shellWord(planFile)}, run ` +
      `roster plan -f ${shellWord(planFile)}`,
  );
}

/** The argument as it would be typed at a shell: quoted when it holds anything but plain path characters. */
function shellWord(word: string): string {
  return /^[\w./@:+,=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
