import type { Manifest, UcanRequest } from './schemas.js';

const SECONDS_PER_DAY = 86_400;

/** `echo/inbox/*` → `hecate://echo/inbox/*`: the scope is the URI's authority. */
export function resourceUri(resource: string): string {
  return `hecate://${resource}`;
}

/** `answer_query` in scope `echo` → `echo/answer_query`, UCAN 0.10's `namespace/verb` form. */
export function abilityOf(scope: string, action: string): string {
  return `${scope}/${action}`;
}

/**
 * The UCAN 0.10 capabilities the service asks the realm for: every action on every resource, each
 * with no caveats (`[{}]`). A spec with no actions or no resources asks for nothing (`cap: {}`).
 */
export function deriveUcanRequest(manifest: Manifest): UcanRequest {
  const { scope, actions, resources, ttlDays } = manifest.identity;
  const cap: UcanRequest['cap'] = {};
  if (actions.length > 0)
    for (const resource of resources)
      cap[resourceUri(resource)] = Object.fromEntries(actions.map((action) => [abilityOf(scope, action), [{}]]));
  return {
    ucv: '0.10.0',
    service: { name: manifest.name, version: manifest.version },
    cap,
    lifetimeSeconds: ttlDays * SECONDS_PER_DAY,
    contractHash: manifest.contractHash,
  };
}
