import type { Capability, MeshError, MeshProvider } from '@hecate-om/contract';

/** NATS headers of one call, by name: what the caller attached and the provider reads back. */
export type CallHeaders = Readonly<Record<string, string>>;

export type Attached = { readonly ok: true; readonly headers: CallHeaders } | { readonly ok: false; readonly error: MeshError };
export type Authorized = { readonly ok: true } | { readonly ok: false; readonly error: MeshError };

export interface AttachOptions {
  /** Carry every proof, even those the provider is thought to hold already. @default false */
  readonly carryProofs?: boolean;
}

/**
 * The `unauthorized` reason of a provider that was not sent the proofs an invocation names by CID
 * and has not verified them before (it restarted, or its proof cache let them go): the caller
 * attaches again with `carryProofs` and sends the call once more, to the same provider.
 */
export const PROOFS_UNKNOWN = 'proofs_unknown';

/**
 * The two places a mesh call is authorized, and the only two: the caller attaches proof that it may
 * call `capability` on that one provider (an invocation token addressed to the provider's DID), and
 * the provider checks what arrived before its handler runs. The runtime and `createTestMesh()` use
 * the same `CallAuthorization`, so a test sees the rules production applies.
 */
export interface CallAuthorization {
  /** Caller side, once per attempt: the headers to send to `provider`, or why the call cannot be made. */
  attach(provider: MeshProvider, capability: string, options?: AttachOptions): Promise<Attached>;
  /** Provider side, before the handler: whether `headers` authorize this call of `capability`. */
  authorize(capability: Capability, headers: CallHeaders): Promise<Authorized>;
  /**
   * Caller side, before any attempt: why `provider` can never accept a call from this caller (it
   * advertises another realm, or no DID), so the call skips it; undefined when it may. Absent: none is skipped.
   */
  uncallable?(provider: MeshProvider): string | undefined;
}

const NO_HEADERS: Attached = { ok: true, headers: {} };
const ALLOWED: Authorized = { ok: true };

/** Every call allowed, nothing attached: the mesh without authorization. */
export const UNAUTHORIZED_CALLS: CallAuthorization = {
  attach: async () => NO_HEADERS,
  authorize: async () => ALLOWED,
};
