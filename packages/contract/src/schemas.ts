import { z } from 'zod';
import type { BuildTimeMember } from './contract-members.js';
import {
  ABSOLUTE_PATH_PATTERN,
  ABSOLUTE_PATH_PROBLEM,
  ACTIONS_MAX,
  ACTION_PATTERN,
  CAPABILITIES_MAX,
  BIDI_CONTROL_PATTERN,
  CAPABILITY_NAME_MAX_LENGTH,
  CAPABILITY_NAME_PATTERN,
  CAPABILITY_VERSION_MAX,
  CONTROL_CHARACTER_PATTERN,
  isReservedServiceName,
  DESCRIPTION_MAX_LENGTH,
  LICENSE_PATTERN,
  PORT_MAX,
  PORT_MIN,
  RESOURCE_MAX_LENGTH,
  RESOURCE_PATTERN,
  RESOURCES_MAX,
  SCOPE_PATTERN,
  SEMVER_PATTERN,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
  SOURCE_URL_PATTERN,
  TAGGED_IMAGE_PATTERN,
  TTL_DAYS_MAX,
  TTL_DAYS_MIN,
  VISIBLE_CHARACTER_PATTERN,
} from './rules.js';

const withoutControlCharacters = (schema: z.ZodString): z.ZodString =>
  schema
    .refine((value) => !CONTROL_CHARACTER_PATTERN.test(value), {
      message: 'must not contain control characters or line breaks',
    })
    .refine((value) => !BIDI_CONTROL_PATTERN.test(value), {
      message: 'must not contain bidirectional control characters (U+202A to U+202E, U+2066 to U+2069): they make text display otherwise than it reads',
    });

export const ServiceNameSchema = /* @__PURE__ */ z
  .string()
  .max(SERVICE_NAME_MAX_LENGTH, `must be at most ${SERVICE_NAME_MAX_LENGTH} characters (a DNS label)`)
  .regex(
    SERVICE_NAME_PATTERN,
    'must be lowercase kebab-case (a-z, 0-9, single hyphens, starting with a letter): it names a file, a container and a systemd unit',
  )
  .refine((name) => !isReservedServiceName(name), {
    message: 'is the name of a unit the host already runs (or of its family, such as systemd-*): the service\'s systemd unit would shadow it; choose another name',
  })
  .meta({ description: 'Lowercase kebab-case DNS label naming the service, its container and its unit' });

export const SemverSchema = /* @__PURE__ */ z
  .string()
  .regex(SEMVER_PATTERN, 'must be a semantic version such as 1.2.3 or 1.2.3-rc.1 (no +build metadata: it cannot be an image tag)')
  .meta({ description: 'Semantic version, without build metadata' });

export const DescriptionSchema = /* @__PURE__ */ withoutControlCharacters(
  z
    .string()
    .regex(VISIBLE_CHARACTER_PATTERN, 'must not be empty (it holds no visible character)')
    .max(DESCRIPTION_MAX_LENGTH, `must be at most ${DESCRIPTION_MAX_LENGTH} characters`),
).meta({ description: 'One line saying what the service does' });

export const InfoSchema = /* @__PURE__ */ z
  .strictObject({
    name: ServiceNameSchema,
    version: SemverSchema,
    description: DescriptionSchema,
  })
  .meta({ description: 'What info() returns' });

export const CapabilitySchema = /* @__PURE__ */ z
  .strictObject({
    name: z
      .string()
      .max(CAPABILITY_NAME_MAX_LENGTH, `must be at most ${CAPABILITY_NAME_MAX_LENGTH} characters`)
      .regex(CAPABILITY_NAME_PATTERN, 'must be dotted lowercase such as my_service.do_thing (at least two segments of a-z, 0-9, _ and -, each starting with a letter)'),
    version: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be a positive integer')
      .max(CAPABILITY_VERSION_MAX, `must be at most ${CAPABILITY_VERSION_MAX}`),
  })
  .meta({ description: 'A capability the service advertises on the mesh' });

export const CapabilityListSchema = /* @__PURE__ */ z
  .array(CapabilitySchema)
  .max(CAPABILITIES_MAX, `must hold at most ${CAPABILITIES_MAX} capabilities`)
  .superRefine((capabilities, ctx) => {
  const seen = new Map<string, number>();
  capabilities.forEach((capability, index) => {
    const key = `${capability.name}@${capability.version}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: [index],
        message: `duplicates capability ${capability.name} version ${capability.version} (already at index ${first})`,
      });
  });
});

function addDuplicateIssues(values: readonly string[], ctx: z.RefinementCtx, path: string): void {
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const first = seen.get(value);
    if (first === undefined) seen.set(value, index);
    else ctx.addIssue({ code: 'custom', path: [path, index], message: `duplicates "${value}" (already at index ${first})` });
  });
}

function hasCheckableLists(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const { actions, resources } = value as Record<string, unknown>;
  const isStringArray = (list: unknown): boolean => Array.isArray(list) && list.every((item) => typeof item === 'string');
  return isStringArray(actions) && isStringArray(resources);
}

export const IdentitySpecSchema = /* @__PURE__ */ z
  .strictObject({
    scope: z.string().regex(SCOPE_PATTERN, 'must start with a-z and hold only a-z, 0-9, _ and - (at most 63 characters)'),
    actions: z.array(
      z.string().regex(ACTION_PATTERN, 'must start with a-z and hold only a-z, 0-9 and _ (at most 63 characters)'),
    ).max(ACTIONS_MAX, `must hold at most ${ACTIONS_MAX} actions`),
    resources: z.array(
      z
        .string()
        .max(RESOURCE_MAX_LENGTH, `must be at most ${RESOURCE_MAX_LENGTH} characters`)
        .regex(
          RESOURCE_PATTERN,
          'must be a path of lowercase segments such as scope/items/* (segments start with a-z or 0-9; * only as the last segment)',
        ),
    ).max(RESOURCES_MAX, `must hold at most ${RESOURCES_MAX} resources`),
    ttlDays: z
      .number()
      .int('must be a whole number of days')
      .min(TTL_DAYS_MIN, `must be at least ${TTL_DAYS_MIN} day`)
      .max(TTL_DAYS_MAX, `must be at most ${TTL_DAYS_MAX} days`),
  })
  // `when` runs these cross-field checks even when a sibling field (say ttlDays) is invalid, so that
  // every problem is reported at once; it requires only the fields the checks read to be well-formed.
  .superRefine((spec, ctx) => {
    addDuplicateIssues(spec.actions, ctx, 'actions');
    addDuplicateIssues(spec.resources, ctx, 'resources');
  }, { when: ({ value }) => hasCheckableLists(value) })
  .meta({ description: 'The UCAN the service asks the realm for' });

/** The three members whose values the build derives the manifest from. */
/** What the build-time members return: `satisfies` keeps its keys those of CONTRACT_MEMBERS. */
export const ContractValuesSchema = /* @__PURE__ */ z.strictObject({
  info: InfoSchema,
  capabilities: CapabilityListSchema,
  identitySpec: IdentitySpecSchema,
} satisfies Record<BuildTimeMember, z.ZodType>);

export const ManifestSchema = /* @__PURE__ */ z
  .strictObject({
    manifestVersion: z.literal(1),
    name: ServiceNameSchema,
    version: SemverSchema,
    description: DescriptionSchema,
    license: z
      .string()
      .regex(LICENSE_PATTERN, 'must be an SPDX license expression such as Apache-2.0')
      .meta({ description: 'SPDX license expression, from package.json' }),
    source: z
      .string()
      .regex(SOURCE_URL_PATTERN, 'must be an https URL without spaces or quotes')
      .optional()
      .meta({ description: 'Source repository, from package.json when known' }),
    image: z
      .string()
      .regex(TAGGED_IMAGE_PATTERN, 'must be an OCI image reference registry/org/name:tag')
      .meta({ description: 'OCI image reference <registry>/<org>/<name>:<version>' }),
    capabilities: CapabilityListSchema,
    identity: IdentitySpecSchema,
    health: z.strictObject({
      port: z.number().int().min(PORT_MIN).max(PORT_MAX),
      path: z.literal('/health'),
    }),
    paths: z.strictObject({
      secrets: z.string().regex(ABSOLUTE_PATH_PATTERN, ABSOLUTE_PATH_PROBLEM),
      state: z.string().regex(ABSOLUTE_PATH_PATTERN, ABSOLUTE_PATH_PROBLEM),
    }),
    runtime: z.strictObject({
      node: z.string().regex(/^>=\d+\.\d+\.\d+$/, 'must be a minimum version range such as >=20.19.0'),
      hecateOm: SemverSchema,
    }),
    contractHash: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: followed by 64 lowercase hex digits')
      .meta({ description: 'sha256 of the canonical JSON of info, capabilities and identity: detects drift' }),
    platform: z
      .strictObject({
        os: z.string().regex(/^[a-z0-9]+$/, 'must be a process.platform value such as linux'),
        cpu: z.string().regex(/^[a-z0-9]+$/, 'must be a process.arch value such as x64'),
        libc: z.enum(['glibc', 'musl']).optional(),
        nodeAbi: z
          .array(z.number().int().positive())
          .min(1)
          .optional()
          .meta({
            description:
              'The process.versions.modules values under which every shipped addon loads, read from the addons; absent when all are Node-API addons, which load under any Node. The runtime refuses to boot under another',
          }),
        nodeMajors: z
          .array(z.number().int().positive())
          .optional()
          .meta({ description: 'The Node majors of nodeAbi, for people and for choosing the base image' }),
      })
      .optional()
      .meta({
        description:
          'Present when the release ships native code (.node addons): the platform it was compiled for, as process.platform and process.arch name it, with the C library on Linux and the Node ABI',
      }),
  })
  .meta({
    title: 'hecate-om service manifest',
    description: 'Everything deployment needs to know about a hecate service, derived at build time',
  });

export const UcanRequestSchema = /* @__PURE__ */ z
  .strictObject({
    ucv: z.literal('0.10.0'),
    service: z.strictObject({ name: ServiceNameSchema, version: SemverSchema }),
    cap: z.record(z.string(), z.record(z.string(), z.array(z.strictObject({})))),
    lifetimeSeconds: z.number().int().positive(),
    contractHash: z.string(),
  })
  .meta({ title: 'hecate-om UCAN request', description: 'The capabilities a service asks its realm to delegate' });

export type Info = z.infer<typeof InfoSchema>;
export type Capability = z.infer<typeof CapabilitySchema>;
/**
 * What identitySpec() returns. Its lists are readonly, so that a spec written `as const` (the idiom
 * the README teaches) type-checks: a readonly array is not assignable to a mutable one.
 */
export type IdentitySpec = Readonly<
  Omit<z.infer<typeof IdentitySpecSchema>, 'actions' | 'resources'> & { actions: readonly string[]; resources: readonly string[] }
>;
export type ContractValues = z.infer<typeof ContractValuesSchema>;
export type Manifest = z.infer<typeof ManifestSchema>;
export type UcanRequest = z.infer<typeof UcanRequestSchema>;
