/** One schema violation as Ajv reports it: where in the data, which keyword of which schema node. */
export interface SchemaError {
  /** JSON Pointer to the value, e.g. "/users/3". */
  instancePath: string;
  /** JSON Pointer into the schema, e.g. "#/definitions/email/pattern". */
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  /** The schema node holding the keyword (the validators are generated with Ajv's verbose option). */
  parentSchema?: unknown;
}

/** A validator generated from a JSON Schema: true when valid, else the errors are left on `errors`. */
export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}
