import type { Capability } from '@hecate-om/contract';
import { parseUcan } from '@hecate-om/ucan';
import type { RuntimeLogger } from '../logger.js';
import { PROOFS_UNKNOWN, type CallAuthorization, type CallHeaders } from './authorization.js';
import { headerOf, INVOCATION_HEADER } from './invocation-authorization.js';

/** One warn per caller and reason in this long; the next one counts those not written. */
export const REFUSAL_LOG_WINDOW_MS = 60_000;
/** Callers remembered at once: a flood of made-up DIDs costs bounded memory (and is itself logged, at this rate). */
const MAX_REMEMBERED = 1024;

export interface RefusalLogOptions {
  readonly log: RuntimeLogger;
  /** Milliseconds, monotonic. */
  readonly now: () => number;
}

/**
 * `authorization` with every refused call written as a warn naming the caller's DID (the
 * invocation's issuer, as claimed: it is what the operator looks up), the capability and the
 * reason, at most once per caller and reason every minute: a provider's operator learns that, and
 * why, calls are refused, without a log line per call of a caller that keeps retrying.
 */
export function logRefusals(authorization: CallAuthorization, { log, now }: RefusalLogOptions): CallAuthorization {
  const windows = new Map<string, { readonly until: number; suppressed: number }>();
  return {
    ...authorization,
    async authorize(capability: Capability, headers: CallHeaders) {
      const authorized = await authorization.authorize(capability, headers);
      // Not a refusal of the caller: a request for the proofs it named by CID, which it sends at once.
      if (authorized.ok || authorized.error.reason === PROOFS_UNKNOWN) return authorized;
      const caller = callerOf(headers);
      const reason = authorized.error.reason ?? authorized.error.code;
      const key = `${caller}\u0000${reason}`;
      const at = now();
      const open = windows.get(key);
      if (open !== undefined && at < open.until) {
        open.suppressed += 1;
        return authorized;
      }
      windows.delete(key);
      if (windows.size >= MAX_REMEMBERED) windows.delete(windows.keys().next().value as string);
      windows.set(key, { until: at + REFUSAL_LOG_WINDOW_MS, suppressed: 0 });
      log.warn(`refused a call of ${capability.name} from ${caller}: ${reason}`, {
        caller,
        capability: capability.name,
        reason,
        why: authorized.error.message,
        ...(open === undefined || open.suppressed === 0 ? {} : { notLogged: open.suppressed }),
      });
      return authorized;
    },
  };
}

/** The invocation's issuer, or what stands in for it when there is none to read. */
function callerOf(headers: CallHeaders): string {
  const token = headerOf(headers, INVOCATION_HEADER);
  if (token === undefined) return 'an unidentified caller (no invocation)';
  const parsed = parseUcan(token);
  return parsed.ok ? parsed.ucan.payload.iss : 'an unidentified caller (a malformed invocation)';
}
