import { debuglog, format } from 'node:util';

/** Writes one debug line, printf-style (`%s`, `%d`, `%j`), when debug output is on. */
export type DebugLog = (message: string, ...values: unknown[]) => void;

/**
 * hecate-om's debug output, on stderr as `HECATE-OM <pid>: <message>`: on when `NODE_DEBUG` names
 * `hecate-om` (Node's own `util.debuglog`) or `DEBUG` does (`DEBUG=hecate-om`, or `*`), the
 * convention of the bundler world. Costs one check per call when off, and no dependency.
 */
export function createDebugLog(env: Readonly<Record<string, string | undefined>> = process.env): DebugLog {
  const named = (env['DEBUG'] ?? '').split(/[\s,]+/).some((name) => name === 'hecate-om' || name === '*');
  if (!named) return debuglog('hecate-om');
  return (message, ...values) => {
    process.stderr.write(`HECATE-OM ${process.pid}: ${format(message, ...values)}\n`);
  };
}
