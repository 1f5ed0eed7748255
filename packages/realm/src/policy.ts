import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  ACTION_PATTERN,
  CAPABILITY_NAME_MAX_LENGTH,
  CAPABILITY_NAME_PATTERN,
  RESOURCE_PATTERN,
  SCOPE_PATTERN,
  SERVICE_NAME_PATTERN,
  ServiceNameSchema,
  TTL_DAYS_MAX,
  formatJsonPath,
  MESH_CALL_ABILITY,
  MESH_RESOURCE_PREFIX,
  meshResource,
} from '@hecate-om/contract';
import { publicKeyFromDid, type Capabilities } from '@hecate-om/ucan';
import { parseStrictJson } from './data-file.js';

/** The scheme of every resource the realm owns: a `hecate://` capability can only come from it. */
export const REALM_RESOURCE_SCHEME = 'hecate://';
// Mesh calls are granted as mesh/call on hecate://mesh/<capability name>: the contract holds the
// mapping, which the runtime's mesh checks on every call.
export { MESH_CALL_ABILITY, MESH_RESOURCE_PREFIX, meshResource } from '@hecate-om/contract';

const SECONDS_PER_DAY = 86_400;
/** Shorter than a minute and a credential would be renewed about as often as it is used. */
export const MIN_LIFETIME_SECONDS = 60;
/**
 * The development realm's floor: lifetimes of seconds let renewal, and a realm down across an
 * expiry, be tried in seconds rather than minutes. A realm out of development mode refuses them.
 */
export const DEVELOPMENT_MIN_LIFETIME_SECONDS = 5;
/** The longest lifetime a service may ask for (`identitySpec().ttlDays` at most 365). */
export const MAX_LIFETIME_SECONDS = TTL_DAYS_MAX * SECONDS_PER_DAY;
const POLICY_FILE_MAX_BYTES = 1024 * 1024;

/** `hecate://` followed by a resource path (`echo/inbox/*`, `mesh/billing.charge`) or `*`: what the realm owns. */
export function isRealmResource(resource: string): boolean {
  if (!resource.startsWith(REALM_RESOURCE_SCHEME)) return false;
  const path = resource.slice(REALM_RESOURCE_SCHEME.length);
  return path === '*' || RESOURCE_PATTERN.test(path);
}

const ResourcePatternSchema = /* @__PURE__ */ z.string().refine(isRealmResource, {
  message: 'must be hecate:// followed by a resource path such as echo/inbox/* (segments of a-z, 0-9, ., _ and -; * only last), or hecate://*',
});

const ABILITY_PATTERN = /* @__PURE__ */ abilityPattern();

/** `*`, `<scope>/*` or `<scope>/<action>`, from the contract's own scope and action rules. */
function abilityPattern(): RegExp {
  return new RegExp(`^(?:\\*|${SCOPE_PATTERN.source.slice(1, -1)}/(?:\\*|${ACTION_PATTERN.source.slice(1, -1)}))$`);
}

const AbilityPatternSchema = /* @__PURE__ */ z
  .string()
  .regex(ABILITY_PATTERN, 'must be an ability such as echo/answer_query, a namespace wildcard such as echo/*, or * (every ability)');

const DidKeySchema = /* @__PURE__ */ z.string().superRefine((did, ctx) => {
  const key = publicKeyFromDid(did);
  if (!key.ok) ctx.addIssue({ code: 'custom', message: `must be an Ed25519 did:key: ${key.message}` });
});

const MeshCapabilitySchema = /* @__PURE__ */ z
  .string()
  .max(CAPABILITY_NAME_MAX_LENGTH, `must be at most ${CAPABILITY_NAME_MAX_LENGTH} characters`)
  .regex(CAPABILITY_NAME_PATTERN, 'must be a mesh capability name such as billing.charge (dotted lowercase, at least two segments)');

function addDuplicateIssues(values: readonly string[], ctx: z.RefinementCtx, path: readonly PropertyKey[]): void {
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    const first = seen.get(value);
    if (first === undefined) seen.set(value, index);
    else ctx.addIssue({ code: 'custom', path: [...path, index], message: `duplicates "${value}" (already at index ${first})` });
  });
}

const EnrollmentPolicySchema = /* @__PURE__ */ z
  .strictObject({
    dids: z.array(DidKeySchema).default([]).meta({ description: 'Instances enrolled by the policy itself, one did:key each' }),
    joinTokens: z.boolean().default(false).meta({ description: 'Whether an instance may enroll with a one-time join token' }),
  })
  .superRefine((enroll, ctx) => {
    addDuplicateIssues(enroll.dids, ctx, ['dids']);
    if (enroll.dids.length === 0 && !enroll.joinTokens)
      ctx.addIssue({ code: 'custom', message: 'no instance could ever enroll: list dids, or set joinTokens to true' });
  });

/** A service's policy, its `maxLifetimeSeconds` at least `minLifetimeSeconds`. */
function servicePolicySchema(minLifetimeSeconds: number) {
  return z
    .strictObject({
      grants: z
        .record(ResourcePatternSchema, z.array(AbilityPatternSchema).min(1, 'must list at least one ability'))
        .default({})
        .meta({ description: 'hecate:// resource (or resource/*) → the abilities the service may be granted on it' }),
      mesh: z
        .array(MeshCapabilitySchema)
        .default([])
        .meta({ description: 'Mesh capabilities the service may call, granted as mesh/call on hecate://mesh/<name>' }),
      maxLifetimeSeconds: z
        .number()
        .int('must be a whole number of seconds')
        .min(minLifetimeSeconds, `must be at least ${minLifetimeSeconds} seconds`)
        .max(MAX_LIFETIME_SECONDS, `must be at most ${MAX_LIFETIME_SECONDS} seconds (365 days)`)
        .meta({ description: 'The longest credential lifetime the service may be granted, in seconds' }),
      enroll: EnrollmentPolicySchema,
    })
    .superRefine((service, ctx) => {
      for (const [resource, abilities] of Object.entries(service.grants)) {
        if (resource === `${REALM_RESOURCE_SCHEME}mesh` || resource.startsWith(MESH_RESOURCE_PREFIX))
          ctx.addIssue({
            code: 'custom',
            path: ['grants', resource],
            message: 'mesh calls are granted through "mesh": list the capability names there',
          });
        addDuplicateIssues(abilities, ctx, ['grants', resource]);
      }
      addDuplicateIssues(service.mesh, ctx, ['mesh']);
    });
}

export const ServicePolicySchema = /* @__PURE__ */ servicePolicySchema(MIN_LIFETIME_SECONDS);

const RealmNameSchema = /* @__PURE__ */ z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(SERVICE_NAME_PATTERN, 'must be lowercase kebab-case such as acme-production (a-z, 0-9, single hyphens, starting with a letter)');

/** A realm's policy, each service's `maxLifetimeSeconds` at least `minLifetimeSeconds`. */
function policySchema(minLifetimeSeconds: number) {
  return z
    .strictObject({
      name: RealmNameSchema.meta({ description: 'The realm name GET /api/v1/realm reports' }),
      services: z.record(ServiceNameSchema, servicePolicySchema(minLifetimeSeconds)).meta({ description: 'Service name → what its instances may be granted' }),
    })
    .superRefine((policy, ctx) => {
      const owner = new Map<string, string>();
      for (const [service, entry] of Object.entries(policy.services))
        entry.enroll.dids.forEach((did, index) => {
          const first = owner.get(did);
          if (first === undefined) owner.set(did, service);
          else if (first !== service)
            ctx.addIssue({
              code: 'custom',
              path: ['services', service, 'enroll', 'dids', index],
              message: `is already enrolled for service "${first}": an instance answers as one service`,
            });
        });
    })
    .meta({ title: 'hecate-om realm policy', description: 'What each service may be granted, and how its instances enroll' });
}

/** The policy of a realm; lifetimes from `MIN_LIFETIME_SECONDS`. */
export const PolicySchema = /* @__PURE__ */ policySchema(MIN_LIFETIME_SECONDS);
/** The policy of a development realm; lifetimes from `DEVELOPMENT_MIN_LIFETIME_SECONDS`. */
const DevelopmentPolicySchema = /* @__PURE__ */ policySchema(DEVELOPMENT_MIN_LIFETIME_SECONDS);

export type Policy = z.infer<typeof PolicySchema>;
export type ServicePolicy = z.infer<typeof ServicePolicySchema>;
/** A policy as written, before defaults are filled in. */
export type PolicyInput = z.input<typeof PolicySchema>;

export interface PolicyProblem {
  /** The policy file, when the policy came from one. */
  readonly file?: string;
  /** JSON path of the offending value (`$.services.echo.maxLifetimeSeconds`), or `file:line:column` for a syntax error. */
  readonly path: string;
  readonly message: string;
}

export type PolicyResult = { readonly ok: true; readonly value: Policy } | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

export interface PolicyParseOptions {
  /** The file the policy came from, named in each problem. */
  readonly file?: string;
  /** For a development realm: lifetimes down to `DEVELOPMENT_MIN_LIFETIME_SECONDS` are accepted. @default false */
  readonly dev?: boolean;
}

/** Checks a parsed policy and returns it with its defaults filled in, or every problem with its JSON path. */
export function parsePolicy(input: unknown, options: PolicyParseOptions = {}): PolicyResult {
  const { file, dev = false } = options;
  const parsed = (dev ? DevelopmentPolicySchema : PolicySchema).safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      ...(file === undefined ? {} : { file }),
      path: formatJsonPath(issue.path),
      message: issueMessage(issue),
    })),
  };
}

/** zod says only "Invalid key in record" of a bad key; the key's own rule is in the nested issues. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues.length > 0) return issue.issues.map(issueMessage).join('; ');
  return issue.message;
}

/**
 * Reads and checks a policy file (strict JSON, at most 1 MiB); a syntax error is located at its
 * line and column. `dev` as for `parsePolicy`.
 */
export async function readPolicyFile(file: string, options: { readonly dev?: boolean } = {}): Promise<PolicyResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { ok: false, problems: [{ file, path: file, message: `cannot read the policy file: ${(error as Error).message}` }] };
  }
  if (bytes.length > POLICY_FILE_MAX_BYTES)
    return { ok: false, problems: [{ file, path: file, message: `is ${bytes.length} bytes, more than the ${POLICY_FILE_MAX_BYTES} a policy may be` }] };
  const json = parseStrictJson(bytes);
  if (!json.ok) return { ok: false, problems: [{ file, path: locateSyntaxError(file, bytes, json.message), message: json.message }] };
  return parsePolicy(json.value, { file, dev: options.dev });
}

/** `file:line:column` of the character V8 names in "at position N", or the file alone. */
function locateSyntaxError(file: string, bytes: Buffer, message: string): string {
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return file;
  const before = bytes.toString('utf8').slice(0, Number(position));
  const lines = before.split('\n');
  return `${file}:${lines.length}:${(lines.at(-1)?.length ?? 0) + 1}`;
}

/** One line per problem: `policy.json: $.services.echo.maxLifetimeSeconds: must be at least 60 seconds`. */
export function formatPolicyProblems(problems: readonly PolicyProblem[]): string {
  return problems
    .map((problem) => (problem.file === undefined || problem.path.startsWith(problem.file) ? `${problem.path}: ${problem.message}` : `${problem.file}: ${problem.path}: ${problem.message}`))
    .join('\n');
}

/** What a service's policy allows, as a `cap` map: its grants plus `mesh/call` on each mesh capability. */
export function allowedCapabilities(service: ServicePolicy): Capabilities {
  const allowed: Capabilities = {};
  for (const [resource, abilities] of Object.entries(service.grants))
    allowed[resource] = Object.fromEntries(abilities.map((ability) => [ability, [{}]]));
  for (const name of service.mesh) allowed[meshResource(name)] = { [MESH_CALL_ABILITY]: [{}] };
  return allowed;
}
