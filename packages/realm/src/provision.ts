import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SemverSchema, ServiceNameSchema, formatJsonPath } from '@hecate-om/contract';
import { JOIN_TOKEN_PATTERN, JOIN_TOKEN_SHAPE } from '@hecate-om/contract/rules';
import { capabilityList, issueUcan, parseUcan, verifyUcan, type Capabilities, type KeyPair, type UcanPayload } from '@hecate-om/ucan';
import type { DataDirectory } from './data-directory.js';
import { resolveEnrollment, type EnrolledBy } from './enrollment.js';
import { decideGrant, type RefusedCapability } from './grant.js';
import { MAX_LIFETIME_SECONDS, type Policy, type ServicePolicy } from './policy.js';
import { refusal, type Refusal, type RefusalCode } from './refusals.js';
import type { ReplayCache } from './replay-cache.js';

/** The rules a provision UCAN is held to, each in one place. */
export const PROVISION_RULES = {
  /** "valid for at most a minute" (issue 11): exp − nbf, and exp − now, at most this. */
  maxTokenLifetimeSeconds: 60,
  /** Clock drift allowed on each time bound; small, since the token itself lives a minute. */
  clockSkewSeconds: 10,
  /** A nonce is a random string; this bounds what the replay cache holds per entry. */
  maxNonceLength: 256,
} as const;

/** What a provision UCAN states in `fct` (all but `joinToken` required). */
export const ProvisionFactsSchema = /* @__PURE__ */ z.strictObject({
  service: ServiceNameSchema,
  version: SemverSchema,
  contractHash: /* @__PURE__ */ z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: followed by 64 lowercase hex digits'),
  lifetimeSeconds: /* @__PURE__ */ z
    .number()
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(MAX_LIFETIME_SECONDS, `must be at most ${MAX_LIFETIME_SECONDS} seconds (365 days)`),
  joinToken: /* @__PURE__ */ z.string().regex(JOIN_TOKEN_PATTERN, `must be a join token as the realm issues them (${JOIN_TOKEN_SHAPE})`).optional(),
});

export type ProvisionFacts = z.infer<typeof ProvisionFactsSchema>;

/** The body of a granted claim. */
export interface ProvisionAnswer {
  /** The credential: a UCAN issued by the realm to the service's DID. */
  readonly credential: string;
  /** Its canonical CID (what `revoke` takes). */
  readonly cid: string;
  /** What it grants: never more than was asked. */
  readonly capabilities: Capabilities;
  /** What was asked and not granted as asked. */
  readonly refused: readonly RefusedCapability[];
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** The fields of the one log line each decision writes. */
export interface DecisionRecord {
  readonly decision: 'granted' | 'refused';
  readonly code?: RefusalCode;
  readonly service?: string;
  readonly version?: string;
  readonly contractHash?: string;
  readonly did?: string;
  readonly enrolledBy?: EnrolledBy;
  readonly granted?: Capabilities;
  readonly refused?: readonly RefusedCapability[];
  readonly cid?: string;
  readonly expiresAt?: number;
  readonly why: string;
}

export type ProvisionDecision =
  | { readonly ok: true; readonly answer: ProvisionAnswer; readonly record: DecisionRecord }
  | { readonly ok: false; readonly refusal: Refusal; readonly record: DecisionRecord; readonly retryAfterSeconds?: number };

export interface ProvisionContext {
  readonly realm: KeyPair;
  /** Undefined only in development mode without a policy file. */
  readonly policy: Policy | undefined;
  /** In development mode: the policy entry of every service the policy does not name. */
  readonly developmentPolicy: ServicePolicy | undefined;
  readonly directory: DataDirectory;
  readonly replays: ReplayCache;
  /** Unix seconds. */
  readonly now: number;
}

/**
 * Judges one claim: the provision UCAN (signature, audience, a lifetime of at most a minute, a
 * fresh nonce, no proofs), its facts, the service's policy and the instance's enrollment, then
 * issues a credential for the intersection of what was asked and what is allowed, or refuses with
 * a stable code. Every outcome comes with the record to log.
 */
export async function decideProvision(token: unknown, context: ProvisionContext): Promise<ProvisionDecision> {
  const { realm, now } = context;
  const checked = await checkProvisionToken(token, context);
  if (!checked.ok) return checked;
  const { payload } = checked;
  const did = payload.iss;

  const facts = ProvisionFactsSchema.safeParse(payload.fct ?? {});
  if (!facts.success) {
    const details = facts.error.issues.map((issue) => ({ path: formatJsonPath(['fct', ...issue.path]), message: issue.message }));
    return refuse('INVALID_FACTS', `the provision UCAN of ${did} states its facts wrongly: ${details.map((detail) => `${detail.path} ${detail.message}`).join('; ')}`, { did }, details);
  }
  const { service, version, contractHash, lifetimeSeconds, joinToken } = facts.data;
  const about = { did, service, version, contractHash };
  const servicePolicy = context.policy?.services[service] ?? context.developmentPolicy;
  if (servicePolicy === undefined) return refuse('UNKNOWN_SERVICE', `the policy of realm ${context.policy?.name} names no service ${service}`, about);

  const enrollment = await resolveEnrollment(context.directory, context.policy, context.developmentPolicy !== undefined, {
    did,
    service,
    servicePolicy,
    joinToken,
    now,
  });
  if (!enrollment.ok) return refuse(enrollment.code, enrollment.message, about);

  // An enrolled instance is always answered with a credential naming it, even one granting nothing
  // it asked (`cap: {}`): a provider that calls nothing needs the realm to vouch for its DID, not a grant.
  const grant = decideGrant(payload.cap, lifetimeSeconds, servicePolicy);
  const enrolled = { ...about, enrolledBy: enrollment.by };

  const expiresAt = now + grant.lifetimeSeconds;
  const credential = issueUcan({
    issuer: realm,
    audience: did,
    capabilities: grant.capabilities,
    notBefore: now,
    expiration: expiresAt,
    nonce: randomBytes(12).toString('base64url'),
    facts: { service, version, contractHash },
  });
  const why =
    `granted ${capabilityList(grant.capabilities).length} of the ${capabilityList(payload.cap).length} capabilities asked ` +
    `(${grant.refused.length} refused or narrowed) for ${grant.lifetimeSeconds} s ` +
    `(asked ${lifetimeSeconds} s, the policy allows ${servicePolicy.maxLifetimeSeconds} s); enrolled by ${enrollment.by}`;
  return {
    ok: true,
    answer: { credential: credential.token, cid: credential.cid, capabilities: grant.capabilities, refused: grant.refused, expiresAt },
    record: { decision: 'granted', ...enrolled, granted: grant.capabilities, refused: grant.refused, cid: credential.cid, expiresAt, why },
  };
}

/**
 * The provision UCAN as a proof of possession: signed by its issuer, for this realm, self-issued,
 * living a minute at most, with a nonce not seen before (recorded from here on, whatever the
 * claim's outcome, since the token has now been presented).
 */
async function checkProvisionToken(
  token: unknown,
  { realm, replays, now }: ProvisionContext,
): Promise<{ ok: true; payload: UcanPayload } | Extract<ProvisionDecision, { ok: false }>> {
  const parsed = parseUcan(token);
  if (!parsed.ok) return refuse('INVALID_TOKEN', 'the provision UCAN is malformed', {}, parsed.errors);
  const { payload } = parsed.ucan;
  const did = payload.iss;
  // Before the signature: a service that pinned another realm's DID should be told that, not "does not verify".
  if (payload.aud !== realm.did)
    return refuse('WRONG_AUDIENCE', `the provision UCAN of ${did} is addressed to ${payload.aud}, but this realm is ${realm.did}`, { did });
  // The issuer owns what it asks for in its own token: a request, not a delegation to check.
  const verified = await verifyUcan(token, { rootIssuers: [did], audience: realm.did, now, clockSkewSeconds: PROVISION_RULES.clockSkewSeconds });
  if (!verified.ok) return refuse('INVALID_TOKEN', `the provision UCAN of ${did} does not verify`, { did }, verified.errors);
  if ((payload.prf ?? []).length > 0)
    return refuse('UNEXPECTED_PROOFS', `the provision UCAN of ${did} lists ${payload.prf?.length} proofs; it must be self-issued`, { did });
  const expiry = provisionExpiry(payload.exp, payload.nbf, now);
  if (!expiry.ok) return refuse('TOKEN_LIFETIME', `the provision UCAN of ${did} ${expiry.problem}`, { did });
  const nonce = payload.nnc;
  if (nonce === undefined || nonce.length === 0 || nonce.length > PROVISION_RULES.maxNonceLength)
    return refuse('MISSING_NONCE', `the provision UCAN of ${did} needs a nonce (nnc) of 1 to ${PROVISION_RULES.maxNonceLength} characters`, { did });
  const replay = replays.remember(did, nonce, expiry.exp + PROVISION_RULES.clockSkewSeconds, now);
  if (replay === 'replayed') return refuse('REPLAYED_NONCE', `${did} already presented a provision UCAN with nonce ${JSON.stringify(nonce)}`, { did });
  if (replay === 'full') {
    const retryAfterSeconds = replays.secondsUntilSpace(now);
    return { ...refuse('REALM_BUSY', `the replay cache is full; retry in ${retryAfterSeconds} s`, { did }), retryAfterSeconds };
  }
  return { ok: true, payload };
}

/** The provision UCAN's expiry, or why it lives too long: it must expire within a minute of now and of its nbf. */
function provisionExpiry(exp: number | null, nbf: number | undefined, now: number): { ok: true; exp: number } | { ok: false; problem: string } {
  const { maxTokenLifetimeSeconds: max, clockSkewSeconds: skew } = PROVISION_RULES;
  if (exp === null) return { ok: false, problem: `never expires; it must expire within ${max} s` };
  if (exp - now > max + skew) return { ok: false, problem: `expires ${exp - now} s from now; it must expire within ${max} s` };
  if (nbf !== undefined && exp - nbf > max) return { ok: false, problem: `is valid for ${exp - nbf} s (nbf ${nbf} to exp ${exp}); at most ${max} s` };
  return { ok: true, exp };
}

function refuse(
  code: RefusalCode,
  message: string,
  about: Omit<DecisionRecord, 'decision' | 'code' | 'why'>,
  details?: readonly unknown[],
): { ok: false; refusal: Refusal; record: DecisionRecord } {
  return { ok: false, refusal: refusal(code, message, details), record: { decision: 'refused', code, ...about, why: message } };
}
