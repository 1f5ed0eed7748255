import type { Capability } from '@hecate-om/contract';

/**
 * The mesh's subject scheme, the one place that spells it (documented in the runtime README):
 * - `hecate.mesh.<capability>.v<version>`: shared by every provider of that capability version (a
 *   queue group, so one of them answers);
 * - `hecate.mesh.<capability>.v<version>.<instance>`: one instance alone; callers address calls
 *   here, since the token they send names the instance's DID as its audience.
 * A capability name is dotted lowercase, so it stays a subject prefix of its own tokens.
 */
export const MESH_SUBJECT_PREFIX = 'hecate.mesh';
export const MESH_QUEUE_GROUP = 'hecate';
/** Instances announce that they advertise (`up`) or withdraw (`down`), so views need not wait for a sweep. */
export const MESH_ANNOUNCE_SUBJECT = 'hecate.announce';

export function sharedSubject(capability: Capability): string {
  return `${MESH_SUBJECT_PREFIX}.${capability.name}.v${capability.version}`;
}

export function instanceSubject(capability: Capability, instance: string): string {
  return `${sharedSubject(capability)}.${instance}`;
}

/**
 * Micro endpoint names must match `^[-\w]+$` (ADR-32): `echo.say` v1 is `echo-say-v1` on the shared
 * subject and `echo-say-v1-instance` on the instance's. A capability name has no `-`, so the map is
 * one to one.
 */
export function endpointName(capability: Capability, addressing: Addressing): string {
  const base = `${capability.name.replaceAll('.', '-')}-v${capability.version}`;
  return addressing === 'shared' ? base : `${base}-instance`;
}

export type Addressing = 'shared' | 'instance';

/** Metadata keys of the service (string → string, fixed once it starts) and of its endpoints. */
export const METADATA = {
  did: 'hecate.did',
  realm: 'hecate.realm',
  contractHash: 'hecate.contract_hash',
  hecateOm: 'hecate.hecate_om',
  capability: 'hecate.capability',
  version: 'hecate.capability_version',
  addressing: 'hecate.addressing',
} as const;
