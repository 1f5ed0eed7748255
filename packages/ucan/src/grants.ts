import { capabilitiesCover, type Capability } from './capabilities.js';
import type { VerifiedUcan } from './verify.js';

/**
 * Whether a verified token's chain grants `capability` to its audience: some capability of its
 * authority covers the resource, the ability (with the spec's wildcards) and the caveat (default
 * `{}`: unconditionally). Only meaningful on a token `verifyUcan` accepted, for its `aud`.
 */
export function grantsCapability(ucan: Pick<VerifiedUcan, 'authority'>, capability: Capability): boolean {
  return capabilitiesCover(ucan.authority, capability);
}
