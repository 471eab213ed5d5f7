import type { SchemaValidator } from "./schema-validator.js";

/** schema/plan.schema.json compiled by scripts/schema-validators.mjs (stops at the first error). */
export declare const validate: SchemaValidator;
export default validate;
