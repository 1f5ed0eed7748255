import { canonicalJson, sha256Hex } from './canonical-json.js';
import { DEFAULT_HEALTH_PORT, HEALTH_PATH, MINIMUM_NODE_VERSION, secretsDirFor, stateDirFor } from './rules.js';
import type { Capability, ContractValues, IdentitySpec, Info, Manifest } from './schemas.js';

/** What the three value members return, as a service's own methods type it (readonly lists). */
export interface ContractValuesInput {
  readonly info: Info;
  readonly capabilities: readonly Capability[];
  readonly identitySpec: IdentitySpec;
}

/** What the build knows about where and how the service is deployed, beyond its contract. */
export interface DeploymentFacts {
  /** `<registry>/<org>`, without a trailing slash. */
  readonly imageRepository: string;
  /** SPDX expression, normally package.json's `license`. */
  readonly license: string;
  /** https URL of the source repository, when package.json names one. */
  readonly source?: string | undefined;
  /** @default 8470 */
  readonly healthPort?: number | undefined;
  /** The @hecate-om/runtime version the release is built against. */
  readonly runtimeVersion: string;
}

/**
 * The hash of what a service promises (identity, abilities, capabilities), so that a registry or
 * the runtime can tell when the running code no longer matches its manifest.
 */
export function contractHashOf(values: ContractValuesInput): string {
  return `sha256:${sha256Hex(canonicalJson(values))}`;
}

/** Derives the manifest from validated contract values; nothing in it is typed twice. */
export function deriveManifest(values: ContractValuesInput, facts: DeploymentFacts): Manifest {
  const { info, capabilities, identitySpec } = values;
  return {
    manifestVersion: 1,
    name: info.name,
    version: info.version,
    description: info.description,
    license: facts.license,
    ...(facts.source === undefined ? {} : { source: facts.source }),
    image: `${facts.imageRepository}/${info.name}:${info.version}`,
    capabilities: capabilities.map(({ name, version }) => ({ name, version })),
    identity: {
      scope: identitySpec.scope,
      actions: [...identitySpec.actions],
      resources: [...identitySpec.resources],
      ttlDays: identitySpec.ttlDays,
    },
    health: { port: facts.healthPort ?? DEFAULT_HEALTH_PORT, path: HEALTH_PATH },
    paths: { secrets: secretsDirFor(info.name), state: stateDirFor(info.name) },
    runtime: { node: `>=${MINIMUM_NODE_VERSION}`, hecateOm: facts.runtimeVersion },
    contractHash: contractHashOf(values),
  };
}

/** The contract values a manifest was derived from, to compare with what running code returns. */
export function contractValuesOf(manifest: Manifest): ContractValues {
  return {
    info: { name: manifest.name, version: manifest.version, description: manifest.description },
    capabilities: manifest.capabilities,
    identitySpec: manifest.identity,
  };
}
