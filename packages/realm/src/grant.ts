import { capabilitiesCover, capabilityList, intersectCapabilities, type Capabilities, type Caveat } from '@hecate-om/ucan';
import { allowedCapabilities, isRealmResource, type ServicePolicy } from './policy.js';

/** One asked capability the credential does not carry as asked, and why. */
export interface RefusedCapability {
  readonly resource: string;
  readonly ability: string;
  readonly caveat: Caveat;
  readonly reason: 'not-a-realm-resource' | 'not-allowed' | 'narrowed';
}

export interface Grant {
  /** What the credential carries: the intersection of what was asked and what the policy allows. */
  readonly capabilities: Capabilities;
  /** Every asked capability not granted as asked. */
  readonly refused: readonly RefusedCapability[];
  /** The shorter of the lifetime asked and the policy's `maxLifetimeSeconds`. */
  readonly lifetimeSeconds: number;
}

/**
 * What a service may be granted of what it asked: each asked capability on a well-formed
 * `hecate://` resource, intersected with the policy (the narrower resource and ability of each
 * overlapping pair, the asked caveats kept), so the result never exceeds either side. A resource
 * that is not a hecate:// path the realm owns is refused outright, so that no string trick (a
 * `..` segment, another scheme) can ride on a prefix the policy allows.
 */
export function decideGrant(asked: Capabilities, askedLifetimeSeconds: number, policy: ServicePolicy): Grant {
  const grantable: Capabilities = {};
  const refused: RefusedCapability[] = [];
  for (const [resource, abilities] of Object.entries(asked)) {
    if (isRealmResource(resource)) grantable[resource] = abilities;
    else
      for (const { ability, caveat } of capabilityList({ [resource]: abilities }))
        refused.push({ resource, ability, caveat, reason: 'not-a-realm-resource' });
  }
  const capabilities = intersectCapabilities(grantable, allowedCapabilities(policy));
  const granted = capabilityList(capabilities);
  for (const wanted of capabilityList(grantable)) {
    if (capabilitiesCover(granted, wanted)) continue;
    const overlaps = Object.keys(intersectCapabilities({ [wanted.resource]: { [wanted.ability]: [wanted.caveat] } }, capabilities)).length > 0;
    refused.push({ ...wanted, reason: overlaps ? 'narrowed' : 'not-allowed' });
  }
  return { capabilities, refused, lifetimeSeconds: Math.min(askedLifetimeSeconds, policy.maxLifetimeSeconds) };
}
