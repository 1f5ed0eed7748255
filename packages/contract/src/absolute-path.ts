/**
 * An absolute path as the artifacts embed it and the runtime takes it: `/` and segments of
 * letters, digits, `.`, `_` and `-`, so that no quoting is needed in the Containerfile, the Quadlet
 * unit or a log line (a trailing `/` is allowed, as shells complete one).
 */
export const ABSOLUTE_PATH_PATTERN = /^\/(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]*$/;

/** What an absolute path must be, to follow the quoted value in a message. */
export const ABSOLUTE_PATH_PROBLEM =
  'must be an absolute path of letters, digits, ., _ and - (such as /var/lib/hecate/echo): a relative one would depend on the working directory';

export function isAbsolutePath(text: string): boolean {
  return ABSOLUTE_PATH_PATTERN.test(text);
}
