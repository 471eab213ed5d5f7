/** One example of a command's --help: a command line a user can type as it is, and what it does. */
export interface HelpExample {
  line: string;
  does: string;
}

/** A command's examples, and the pages of roster's docs/ that say more. */
export interface CommandHelp {
  examples: readonly HelpExample[];
  readMore: readonly string[];
}

/** The examples of each command's --help, as gh shows them; "roster" is the program's own --help. */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  roster: {
    examples: [
      { line: "roster validate", does: "check users.yaml offline" },
      { line: "roster plan", does: "what apply would do; changes nothing" },
      { line: "roster apply", does: "plan, show the plan, ask for yes, then remove" },
    ],
    readMore: ["docs/usage.md"],
  },
  validate: {
    examples: [
      { line: "roster validate", does: "check users.yaml in this folder" },
      { line: "roster validate -f accounts/", does: "check every manifest in a folder" },
      {
        line: "roster validate -f users.yaml --format github",
        does: "problems as annotations in a GitHub Actions log",
      },
    ],
    readMore: ["docs/manifest.md"],
  },
  plan: {
    examples: [
      { line: "roster plan", does: "what apply would do with users.yaml; changes nothing" },
      { line: "roster plan --out plan.json", does: "also save the plan for review: roster apply plan.json applies it" },
      {
        line: "roster plan --format markdown --detailed-exitcode",
        does: "for a pull request; exit 2 when there are removals",
      },
    ],
    readMore: ["docs/plan.md", "docs/saved-plans.md"],
  },
  apply: {
    examples: [
      { line: "roster apply", does: "plan, list every removal, ask for yes, then remove and verify" },
      {
        line: "roster apply --yes --audit-log roster-audit.jsonl",
        does: "unattended (CI), after the plan was reviewed",
      },
      { line: "roster apply plan.json", does: "exactly the removals of a saved plan, if nothing changed since" },
    ],
    readMore: ["docs/apply.md", "docs/saved-plans.md"],
  },
  review: {
    examples: [
      { line: "roster review", does: "every user, why it may stay and who approved it, as Markdown" },
      { line: "roster review --format csv -o review.csv", does: "the same as a spreadsheet, for an audit ticket" },
      { line: "roster review -f accounts/ --format json", does: "every managed account, for machines" },
    ],
    readMore: ["docs/review.md"],
  },
  show: {
    examples: [
      { line: "roster show plan.json", does: "every removal of a saved plan, as plan showed it; no request is sent" },
      { line: "roster show plan.json --format markdown", does: "the same for a pull request or a ticket" },
      { line: "roster show plan.json --format json", does: "for machines, as plan --format json writes it" },
    ],
    readMore: ["docs/saved-plans.md"],
  },
  export: {
    examples: [
      { line: "roster export -o users.yaml", does: "a manifest of the organization as it is, to start from" },
      { line: "roster export -o users.yaml --schema-ref none", does: "the same, without the $schema line for editors" },
    ],
    readMore: ["docs/adopting.md"],
  },
  sandbox: {
    examples: [
      { line: "roster sandbox", does: "the bundled example organization on a free loopback port" },
      { line: "roster sandbox --state examples/org.json --port 4010", does: "seeded from a file, on a fixed port" },
      {
        line: "roster sandbox --managed-accounts 3 --fail-rate 0.1",
        does: "a manager of 3 accounts, 10% of answers failing",
      },
    ],
    readMore: ["docs/sandbox.md", "docs/apply.md"],
  },
  completion: {
    examples: [
      { line: "roster completion bash", does: "the bash script: source <(roster completion bash)" },
      { line: "roster completion zsh", does: "the zsh script" },
    ],
    readMore: ["docs/usage.md"],
  },
};

/**
 * The Examples section of a command's --help as gh writes it (what it does as a comment, then the command line
 * after `$ `), and where to read more; "" for a command without examples.
 */
export function examplesHelp(name: string): string {
  const help = COMMAND_HELP[name];
  if (!help) return "";
  const examples = help.examples.map((example) => `  # ${example.does}\n  $ ${example.line}`);
  const more =
    `Read more: ${help.readMore.join(", ")} in roster's repository\n(in a project: under ` +
    `node_modules/telnyx-roster/).`;
  return `\nExamples:\n${examples.join("\n\n")}\n\n${more}`;
}
