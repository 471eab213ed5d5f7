import { readdirSync, readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { ROOT } from "./org.js";

/** Where the published shapes of the API live, one JSON Schema a file (see its README.md). */
export const API_FIXTURES = `${ROOT}test/fixtures/api/`;

/** The names of the schemas in test/fixtures/api/, without `.schema.json`. */
export type ApiSchema =
  | "user-group-reference"
  | "organization-user"
  | "organization-user-with-groups"
  | "organization-user-response"
  | "user-list"
  | "users-groups-report"
  | "managed-account-multi-listing"
  | "managed-account"
  | "managed-account-response"
  | "managed-account-list"
  | "error";

// OpenAPI 3.1 schemas are JSON Schema 2020-12 (`type: ["string", "null"]`). The three formats they use are
// checked here rather than with another dependency: an address with one @, a URL the WHATWG parser accepts,
// and an RFC 3339 timestamp that is a real date.
const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addFormat("email", /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
ajv.addFormat("uri", { validate: (text: string) => URL.canParse(text) });
ajv.addFormat("date-time", {
  validate: (text: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text)),
});
for (const file of readdirSync(API_FIXTURES).filter((f) => f.endsWith(".schema.json"))) {
  ajv.addSchema(JSON.parse(readFileSync(`${API_FIXTURES}${file}`, "utf8")));
}

function validator(name: ApiSchema): ValidateFunction {
  const validate = ajv.getSchema(`https://telnyx-roster.test/api/${name}.schema.json`);
  if (!validate) throw new Error(`no schema ${name} in ${API_FIXTURES}`);
  return validate;
}

/** Throws, naming every mismatch, unless `body` has the published shape `name`. */
export function assertShape(name: ApiSchema, body: unknown, what: string): void {
  const validate = validator(name);
  if (validate(body)) return;
  const problems = (validate.errors ?? []).map(
    (e) => `  ${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`,
  );
  throw new Error(
    `${what} does not have the published shape ${name}:\n${problems.join("\n")}\n${JSON.stringify(body).slice(0, 500)}`,
  );
}

/** One of the spec's own example bodies in test/fixtures/api/examples/, as its exact text. */
export function exampleText(file: string): string {
  return readFileSync(`${API_FIXTURES}examples/${file}`, "utf8");
}
