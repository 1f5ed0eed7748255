/**
 * The naming rules every hecate service obeys, and every default more than one package needs. They
 * are plain data so that the zod schemas, the build plugin's diagnostics and renderers, the CLI's
 * flag checks and the runtime all enforce the same thing. This module loads no zod: it is exported
 * alone as `@hecate-om/contract/rules`, for code that must not pay for it (the plugin's warm path,
 * the runtime in every release).
 */

/** Lowercase kebab-case DNS label: safe as a file name, a container name and a systemd unit name. */
export const SERVICE_NAME_PATTERN = /^[a-z](?:[a-z0-9]*(?:-[a-z0-9]+)*)?$/;
export const SERVICE_NAME_MAX_LENGTH = 63;

/** Semantic Versioning 2.0.0 without build metadata (a `+` cannot appear in an OCI image tag). */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;

/**
 * Dotted lowercase, at least two segments: `echo.say`, `my_service.do_thing`, `hecate-rag.answer_query`.
 * Hyphens are allowed because the name becomes a NATS subject, where they are valid, and services
 * (whose names are kebab-case) name their capabilities after themselves, as the Erlang hecate-om does.
 */
export const CAPABILITY_NAME_PATTERN = /^[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)+$/;
export const CAPABILITY_NAME_MAX_LENGTH = 128;
export const CAPABILITY_VERSION_MAX = 2_147_483_647;
/**
 * At most this many capabilities, actions and resources. Real services advertise a handful; the
 * limits leave wide margin while bounding what a contract can make the build write: the UCAN
 * request holds every action on every resource, so it stays under about 600 KB.
 */
export const CAPABILITIES_MAX = 256;
export const ACTIONS_MAX = 64;
export const RESOURCES_MAX = 64;

/** An identity scope is the namespace of the service's abilities and resources. */
export const SCOPE_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
/** An action becomes the ability `<scope>/<action>`. */
export const ACTION_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
/**
 * A resource is a path `<namespace>/<segment>/...` of a safe alphabet, where a segment starts with a
 * letter or digit, and `*` may stand only as the last segment. It need not live under the service's
 * own scope: which resources a service may get is the realm's decision when it delegates, not the
 * build's (`corpora/*` asked for by the scope `hecate-rag` is a request the realm grants or not).
 * Each becomes the UCAN resource URI `hecate://<resource>` (see `resourceUri`).
 */
export const RESOURCE_PATTERN =
  /^[a-z][a-z0-9_-]{0,62}(?:\/[a-z0-9][a-z0-9._-]{0,62})*(?:\/\*)?$/;
export const RESOURCE_MAX_LENGTH = 200;

export const TTL_DAYS_MIN = 1;
export const TTL_DAYS_MAX = 365;

export const DESCRIPTION_MAX_LENGTH = 200;

/** An SPDX license expression such as `Apache-2.0` or `(MIT OR Apache-2.0)`. */
export const LICENSE_PATTERN = /^[A-Za-z0-9.+:() -]{1,100}$/;
/** The source repository: an https URL without spaces, quotes or backslashes. */
export const SOURCE_URL_PATTERN = /^https:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$/;
/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators, and lone surrogates (half a
 * character, which no file format the artifacts are written in can hold).
 */
export const CONTROL_CHARACTER_PATTERN = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
/**
 * A join token as the realm issues them: `hjt_` + 32 random bytes in base64url (256 bits, so
 * guessing one is hopeless). The realm judges claims by it; the runtime checks the mounted file
 * with it at boot, so a wrong file is named before anything is sent.
 */
export const JOIN_TOKEN_PATTERN = /^hjt_[A-Za-z0-9_-]{43}$/;
export const JOIN_TOKEN_SHAPE = 'hjt_ and 43 base64url characters';
/**
 * The Unicode bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI,
 * FSI, PDI): they reorder how the text around them is displayed, so a label, a unit file or a
 * README could show something other than what it holds (CVE-2021-42574, "Trojan Source").
 */
export const BIDI_CONTROL_PATTERN = /[\u202A-\u202E\u2066-\u2069]/u;
/**
 * A character a person can see: not white space, not a separator, not an invisible format character
 * (zero-width space and joiners, bidi marks, the byte-order mark). A text without one is empty.
 */
export const VISIBLE_CHARACTER_PATTERN = /[^\s\p{Z}\p{Cf}\p{Cc}]/u;

/** The port the health endpoint listens on unless the service or its environment says otherwise. */
export const DEFAULT_HEALTH_PORT = 8470;
export const HEALTH_PATH = '/health';

/** The registry of the image reference `<registry>/<org>/<name>:<version>` unless the build says otherwise. */
export const DEFAULT_REGISTRY = 'ghcr.io';
/** Its namespace when neither the build nor package.json's GitHub repository names one. */
export const DEFAULT_ORG = 'hecate-om';

/** Where the realm-granted credentials of a service are mounted, read-only. */
export function secretsDirFor(serviceName: string): string {
  return `/etc/hecate/secrets/${serviceName}`;
}

/** Where a service keeps what it must remember across restarts. */
export function stateDirFor(serviceName: string): string {
  return `/var/lib/hecate/${serviceName}`;
}

/** The oldest Node.js a release runs on. */
export const MINIMUM_NODE_VERSION = '20.19.0';

export * from './absolute-path.js';
export * from './contract-members.js';
export * from './debug.js';
export * from './ports.js';
export * from './runtime-settings.js';
export { abilityOf, deriveUcanRequest, resourceUri } from './ucan-request.js';
export * from './host-units.js';
export * from './image-reference.js';
export * from './registry.js';
