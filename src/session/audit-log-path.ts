import { notRegularFile } from "../files/regular-file.js";

/** Refuses, before any request, an audit log path that names something other than a regular file. */
export function checkAuditLogPath(path: string): void {
  const kind = notRegularFile(path);
  if (kind)
    throw new Error(
      `the audit log ${path} is ${kind}, not a file: give the path of a file to append to (it is created if missing). ` +
        `Nothing was changed.`,
    );
}
