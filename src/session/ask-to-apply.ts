import { APPLY_EXIT } from "../apply/exit-code.js";
import { confirm } from "../terminal/confirm.js";
import { canPrompt, write, type Io } from "../terminal/io.js";
import { atWidth } from "./at-width.js";

/**
 * Asks at the terminal whether to apply `question`'s removals. Undefined when the answer is 'yes'; otherwise
 * the exit code, with what happened said (and `report`ed): no terminal to ask at, or the answer was not 'yes'.
 */
export async function askToApply(
  io: Io,
  question: string,
  report: (closing: string) => void,
): Promise<number | undefined> {
  if (!canPrompt(io)) {
    report("Not applied: no terminal to confirm at and no --yes. Nothing was changed.");
    write(
      io.stderr,
      "roster: refusing to apply without confirmation: no terminal to ask at. Review the plan, then pass --yes to " +
        "apply unattended. Nothing was changed.\n",
      io.env,
    );
    return APPLY_EXIT.error;
  }
  const answer = await confirm(io, atWidth(`\n${question}\n  Only 'yes' will be accepted to approve.\n\n`, io));
  if (answer === "yes") return undefined;
  write(
    io.stderr,
    atWidth(`\nApply cancelled${answer === "interrupted" ? " (Ctrl-C)" : ""}: nothing was changed.\n`, io),
    io.env,
  );
  return answer === "interrupted" ? APPLY_EXIT.interrupted : APPLY_EXIT.error;
}
