import type { HecateService } from './service.js';

/** A member of `HecateService`, by name. */
export type ContractMember = keyof HecateService<unknown>;

/**
 * When hecate-om uses a member: `build`, its returned value is read without running the code to
 * derive the manifest (and compared with it again at boot, to catch drift); `run`, it is called at
 * run time only.
 */
export type MemberUse = 'build' | 'run';

/**
 * The six members of the contract, in the order the class declares them, each with when hecate-om
 * uses it. The build plugin's extractor, the contract values and the runtime's drift check derive
 * their lists from this one; `satisfies` keeps it equal to the class's own members.
 */
export const CONTRACT_MEMBERS = {
  start: 'run',
  stop: 'run',
  health: 'run',
  capabilities: 'build',
  identitySpec: 'build',
  info: 'build',
} as const satisfies Record<ContractMember, MemberUse>;

/** The members whose returned values the manifest is derived from: `info`, `capabilities`, `identitySpec`. */
export type BuildTimeMember = { [M in ContractMember]: (typeof CONTRACT_MEMBERS)[M] extends 'build' ? M : never }[ContractMember];

/** Every member's name, in declaration order. */
export const CONTRACT_MEMBER_NAMES = /* @__PURE__ */ Object.keys(CONTRACT_MEMBERS) as readonly ContractMember[];

/** The build-time members, in declaration order. */
export const BUILD_TIME_MEMBERS = /* @__PURE__ */ CONTRACT_MEMBER_NAMES.filter(
  (name): name is BuildTimeMember => CONTRACT_MEMBERS[name] === 'build',
);
