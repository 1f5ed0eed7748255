import { readDataFile, writeDataFile } from './data-file.js';
import { EnrollmentRecordSchema, type DataDirectory, type EnrollmentRecord } from './data-directory.js';
import { claimJoinToken } from './join-tokens.js';
import type { Policy, ServicePolicy } from './policy.js';
import type { RefusalCode } from './refusals.js';

/** How an instance came to be enrolled: listed in the policy, by an earlier claim, by this claim's join token, or by the development mode. */
export type EnrolledBy = 'policy' | 'enrollment' | 'join-token' | 'development';

export type EnrollmentResult =
  | { readonly ok: true; readonly by: EnrolledBy }
  | { readonly ok: false; readonly code: RefusalCode; readonly message: string };

export interface EnrollmentClaim {
  readonly did: string;
  readonly service: string;
  /** The policy entry the claim is judged by (the development defaults for a service the policy does not name). */
  readonly servicePolicy: ServicePolicy;
  readonly joinToken: string | undefined;
  /** Unix seconds. */
  readonly now: number;
}

/**
 * Whether `did` may claim for `service`, enrolling it when this claim brings a valid join token
 * (or, in development mode, when it brings none). A DID answers as one service: the policy's own listing comes first,
 * then an enrollment on file, and only a DID enrolled nowhere can be enrolled by this claim. A
 * join token is ignored once the DID is enrolled, so an instance retrying a claim whose answer
 * it never received is not refused for a token it already used.
 */
export async function resolveEnrollment(directory: DataDirectory, policy: Policy | undefined, dev: boolean, claim: EnrollmentClaim): Promise<EnrollmentResult> {
  const { did, service, servicePolicy, joinToken, now } = claim;
  const listedFor = policy === undefined ? undefined : serviceListing(policy, did);
  if (listedFor !== undefined) return listedFor === service ? { ok: true, by: 'policy' } : elsewhere(did, listedFor, service);
  const enrollmentFile = directory.enrollmentFile(did);
  const enrolled = await readDataFile(enrollmentFile, EnrollmentRecordSchema);
  if (enrolled.ok) {
    if (enrolled.value.did !== did) return { ok: false, code: 'INTERNAL_ERROR', message: `${enrollmentFile}: $.did is ${enrolled.value.did}, not the DID its file name holds` };
    return enrolled.value.service === service ? { ok: true, by: 'enrollment' } : elsewhere(did, enrolled.value.service, service);
  }
  if (!enrolled.missing) return { ok: false, code: 'INTERNAL_ERROR', message: enrolled.error.message };
  // A development realm judges a join token as any realm would, so the operator's flow can be tried on it.
  if (dev && joinToken === undefined) return enroll(directory, { did, service, enrolledAt: now, via: 'development' }, 'development');
  if (joinToken === undefined)
    return { ok: false, code: 'NOT_ENROLLED', message: `${did} is not enrolled for ${service}, and the claim brought no join token` };
  if (!servicePolicy.enroll.joinTokens)
    return { ok: false, code: 'JOIN_TOKENS_NOT_ACCEPTED', message: `${did} brought a join token, but the policy of ${service} does not enroll instances by join token` };
  const claimed = await claimJoinToken(directory, joinToken, service, did, now);
  if (!claimed.ok) return { ok: false, code: claimed.code, message: claimed.message };
  return enroll(directory, { did, service, enrolledAt: now, via: 'join-token' }, 'join-token');
}

function serviceListing(policy: Policy, did: string): string | undefined {
  for (const [service, entry] of Object.entries(policy.services)) if (entry.enroll.dids.includes(did)) return service;
  return undefined;
}

function elsewhere(did: string, enrolledFor: string, claimed: string): EnrollmentResult {
  return { ok: false, code: 'ENROLLED_ELSEWHERE', message: `${did} is enrolled for ${enrolledFor} and cannot claim for ${claimed}` };
}

async function enroll(directory: DataDirectory, record: EnrollmentRecord, by: EnrolledBy): Promise<EnrollmentResult> {
  const written = await writeDataFile(directory.enrollmentFile(record.did), record);
  if (!written.ok) return { ok: false, code: 'INTERNAL_ERROR', message: written.error.message };
  return { ok: true, by };
}
