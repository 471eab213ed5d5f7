// Compiles the JSON Schemas in schema/ into plain validation functions with Ajv's standalone code
// generation, so roster validates with the schema without loading Ajv (or compiling a schema) at run time.
// The output is generated code under src/generated/ (not committed); its types are the committed .d.ts files.
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { mkdir, readFile, writeFile } from "node:fs/promises";

const VALIDATORS = [
  // Every problem at once, as roster has always reported manifest problems; verbose: each error carries
  // its schema node, so a message can list, say, the keys a mapping allows.
  { schema: "schema/users.schema.json", out: "src/generated/manifest-schema.js", allErrors: true, verbose: true },
  // A saved plan is machine-written: the first problem is enough to refuse it.
  { schema: "schema/plan.schema.json", out: "src/generated/plan-schema.js", allErrors: false, verbose: false },
];

export async function writeSchemaValidators() {
  await mkdir("src/generated", { recursive: true });
  for (const { schema, out, allErrors, verbose } of VALIDATORS) {
    const ajv = new Ajv({ allErrors, verbose, strict: true, code: { source: true, esm: true } });
    const validate = ajv.compile(JSON.parse(await readFile(schema, "utf8")));
    const code = standaloneCode(ajv, validate);
    if (/\brequire\(/.test(code))
      throw new Error(`${schema}: the generated validator needs Ajv at run time; avoid keywords such as minLength`);
    await writeFile(
      out,
      `// Generated from ${schema} by scripts/schema-validators.mjs at build time: do not edit.\n${code}\n`,
    );
  }
}
