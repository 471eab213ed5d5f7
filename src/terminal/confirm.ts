import { createInterface } from "node:readline/promises";
import { write, type Io } from "./io.js";

/** Asks at the terminal, as Terraform does: only "yes" approves; Ctrl-C at the question cancels. */
export async function confirm(io: Io, question: string): Promise<"yes" | "no" | "interrupted"> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    write(io.stdout, question, io.env);
    const answer = await rl.question("  Enter a value: ");
    write(io.stdout, "\n", io.env);
    return answer.trim() === "yes" ? "yes" : "no";
  } catch (error) {
    // readline rejects the question with an AbortError when Ctrl-C is pressed at it.
    if ((error as Error).name === "AbortError") return "interrupted";
    throw error;
  } finally {
    rl.close();
  }
}
