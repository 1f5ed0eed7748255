import { capabilityCovers, mergeCaveats, resourceCovers, type Capability, type Caveat } from './capabilities.js';
import { ucanError, type UcanError } from './codes.js';
import type { RootIssuer } from './options.js';
import type { ParsedUcan } from './parse.js';

/** A capability a chain proves, and the root issuer that owns its resource. */
export interface AuthorityEntry extends Required<Capability> {
  owner: string;
}

/** The part of a verified proof that derivation reads. */
interface Proof {
  cid: string;
  authority: AuthorityEntry[];
}

/**
 * A chain of `ucan:` delegations could multiply entries at every link, and each capability is
 * compared with every inherited one: this bounds both memory and time (1000 x 2000 comparisons).
 */
export const MAX_AUTHORITY = 2000;
const UCAN_SCHEME = 'ucan:';
const OWNER_SELECTOR = /^ucan:\/\/(did:[^/\s]+)\/(\*|[A-Za-z][A-Za-z0-9+.-]*)$/;

/**
 * Attenuation (spec 3.2.6, 6.3): every capability of `ucan` must be owned by its issuer as a root
 * issuer, or be covered by the authority of one of its valid proofs. `ucan:` resources delegate
 * whole proofs (spec 4.1, 5.1). Returns the token's authority, or why a capability is unsupported;
 * then the errors of the proofs that could not be used are added, since they may be the cause.
 */
export function deriveAuthority(
  ucan: ParsedUcan,
  usable: readonly Proof[],
  unusable: ReadonlyMap<string, UcanError[]>,
  rootIssuers: readonly RootIssuer[],
): { authority: AuthorityEntry[]; errors: UcanError[] } {
  const { iss, cap, prf = [] } = ucan.payload;
  const authority: AuthorityEntry[] = [];
  const errors: UcanError[] = [];
  const inherited = usable.length === 1 ? (usable[0] as Proof).authority : usable.flatMap((proof) => proof.authority);
  for (const resource in cap) {
    const abilities = cap[resource] as Record<string, Caveat[]>;
    if (resource.startsWith(UCAN_SCHEME)) {
      const selected = selectProofAuthority(resource, prf, usable);
      if (!Array.isArray(selected)) {
        errors.push(ucanError(selected.code, ucan.cid, selected.detail));
        continue;
      }
      for (const [ability, caveats] of Object.entries(abilities)) {
        if (ability !== '*' && ability.toLowerCase() !== 'ucan/*') {
          errors.push(ucanError('UCAN_PROOF_REFERENCE', ucan.cid, `${resource} delegates whole proofs: its ability is ucan/* or *, not ${ability}`));
          continue;
        }
        for (const caveat of caveats)
          for (const entry of selected) {
            const narrowed = mergeCaveats(entry.caveat, caveat);
            if (narrowed !== undefined && authority.push({ ...entry, caveat: narrowed }) > MAX_AUTHORITY) return tooMuchAuthority(ucan.cid);
          }
      }
      continue;
    }
    const owned = ownsResource(rootIssuers, iss, resource);
    for (const ability in abilities)
      for (const caveat of abilities[ability] as Caveat[]) {
        const wanted = { resource, ability, caveat };
        const source = owned ? undefined : coveringEntry(inherited, wanted);
        if (owned || source !== undefined) authority.push({ resource, ability, caveat, owner: source?.owner ?? iss });
        else
          errors.push(
            ucanError('UCAN_ATTENUATION', ucan.cid, `${ability} on ${resource} with caveat ${JSON.stringify(caveat)} is neither owned by ${iss} as a root issuer nor covered by a valid proof`),
          );
      }
  }
  if (authority.length > MAX_AUTHORITY) return tooMuchAuthority(ucan.cid);
  if (errors.length > 0) for (const proofErrors of unusable.values()) errors.push(...proofErrors);
  return { authority, errors };
}

function tooMuchAuthority(cid: string): { authority: AuthorityEntry[]; errors: UcanError[] } {
  return { authority: [], errors: [ucanError('UCAN_PROOF_LIMIT', cid, `the chain proves more than ${MAX_AUTHORITY} capabilities`)] };
}

/**
 * The authority a `ucan:` resource selects (spec 4.1), or why it selects none. `ucan:*` selects what
 * the verifier was given: every valid proof listed in `prf`, as `ucan:./*` does.
 */
function selectProofAuthority(
  resource: string,
  prf: readonly string[],
  usable: readonly Proof[],
): AuthorityEntry[] | { code: 'UCAN_PROOF_REFERENCE' | 'UCAN_ATTENUATION'; detail: string } {
  const selector = resource.slice(UCAN_SCHEME.length);
  if (selector === '*' || selector === './*') return usable.flatMap((proof) => proof.authority);
  const owner = OWNER_SELECTOR.exec(resource);
  if (owner !== null) {
    const [, did, scheme] = owner as unknown as [string, string, string];
    const prefix = `${scheme.toLowerCase()}:`;
    return usable
      .flatMap((proof) => proof.authority)
      .filter((entry) => entry.owner === did && (scheme === '*' || entry.resource.toLowerCase().startsWith(prefix)));
  }
  if (!prf.includes(selector))
    return {
      code: 'UCAN_PROOF_REFERENCE',
      detail: `${resource} is neither a selector (ucan:*, ucan:./*, ucan://<did>/*, ucan://<did>/<scheme>) nor ucan:<cid> of a proof listed in prf`,
    };
  const proof = usable.find((candidate) => candidate.cid === selector);
  return proof?.authority ?? { code: 'UCAN_ATTENUATION', detail: `${resource} delegates proof ${selector}, which is not valid` };
}

/** The first inherited entry covering `wanted`: a plain loop, since every capability of every token of a chain asks. */
function coveringEntry(inherited: readonly AuthorityEntry[], wanted: Required<Capability>): AuthorityEntry | undefined {
  for (const entry of inherited) if (capabilityCovers(entry, wanted)) return entry;
  return undefined;
}

function ownsResource(rootIssuers: readonly RootIssuer[], did: string, resource: string): boolean {
  return rootIssuers.some((root) =>
    typeof root === 'string' ? root === did : root.did === did && root.resources.some((pattern) => resourceCovers(pattern, resource)),
  );
}
