import type { SchemaValidator } from "./schema-validator.js";

/** schema/users.schema.json compiled by scripts/schema-validators.mjs (every error at once). */
export declare const validate: SchemaValidator;
export default validate;
