import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { allTargets } from 'node-abi';
import { readElfSymbols } from './elf-symbols.js';

/** The Node a running process is: its ABI (`process.versions.modules`) and CPU (`process.arch`). */
export interface NodeBuild {
  readonly abi: number;
  readonly cpu: string;
}

/** What a package's addons need of the Node that loads them. */
export type AddonNeed =
  /** Node-API addons only (or no addon of this CPU): any Node loads them. */
  | { readonly kind: 'any' }
  /** Addons compiled against V8's ABI: they load only where `process.versions.modules` is one of these. */
  | { readonly kind: 'abi'; readonly abis: readonly number[] };

/** `e_machine` of the ELF files each `process.arch` loads; a `.node` file for another CPU is not this machine's. */
const ELF_MACHINES: Readonly<Record<string, number>> = { ia32: 3, arm: 40, x64: 62, arm64: 183, ppc64: 21, s390x: 22, riscv64: 243, loong64: 258 };

/**
 * How Node finds an addon's entry point once `dlopen` has loaded it (src/node_binding.cc,
 * `DLOpen`): Node-API addons export `napi_register_module_v1` (or register with
 * `napi_module_register`) and load under every Node; others export
 * `node_register_module_v<NODE_MODULE_VERSION>`, checked against the running Node's, or register from
 * a static constructor with `node_module_register`, whose version is data the symbols do not show.
 */
const NODE_API_EXPORTS = ['napi_register_module_v1', 'node_api_module_get_api_version_v1'];
const ABI_EXPORT = /^node_register_module_v(\d+)$/;

/**
 * What the `.node` files under a native package's folder (not its node_modules) need. A file that is
 * not ELF (a macOS or Windows build) or registers from a static constructor is taken to be built for
 * `build`, the Node running the build, as an install compiles for the Node that runs it; an ELF
 * object without any registration (a SQLite extension) is not an addon.
 */
export function addonNeedOf(dir: string, build: NodeBuild): AddonNeed {
  const abis = new Set<number>();
  for (const path of addonFiles(dir)) {
    const symbols = readElfSymbols(readFileSync(path));
    if (symbols === undefined) {
      abis.add(build.abi);
      continue;
    }
    const machine = ELF_MACHINES[build.cpu];
    if (machine !== undefined && symbols.machine !== machine) continue;
    if (NODE_API_EXPORTS.some((name) => symbols.defined.has(name)) || symbols.imported.has('napi_module_register')) return { kind: 'any' };
    const registered = [...symbols.defined].map((name) => ABI_EXPORT.exec(name)?.[1]).find((abi) => abi !== undefined);
    if (registered !== undefined) abis.add(Number(registered));
    else if (symbols.imported.has('node_module_register')) abis.add(build.abi);
  }
  return abis.size === 0 ? { kind: 'any' } : { kind: 'abi', abis: [...abis].sort((a, b) => a - b) };
}

/** Every `.node` file below `dir`, skipping `node_modules` (dependencies are packages of their own). */
function addonFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...addonFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.node')) found.push(path);
  }
  return found;
}

/** The ABI that `process.versions.modules` names on a Node major, from node-abi's registry of releases. */
export function abiOfNodeMajor(major: number): number | undefined {
  const target = allTargets.find(({ runtime, target }) => runtime === 'node' && Number(target.split('.')[0]) === major);
  return target === undefined ? undefined : Number(target.abi);
}

/** The Node major that has this ABI, or undefined for one node-abi does not know yet. */
export function nodeMajorOfAbi(abi: number): number | undefined {
  const target = allTargets.find((candidate) => candidate.runtime === 'node' && Number(candidate.abi) === abi);
  return target === undefined ? undefined : Number(target.target.split('.')[0]);
}

/** `Node 20 (ABI 115)`, `Node 20 or 22 (ABI 115 or 127)`, `Node ABI 999`: how messages name what addons need. */
export function describeAbis(abis: readonly number[]): string {
  const majors = abis.map((abi) => nodeMajorOfAbi(abi));
  const abiText = `ABI ${abis.join(' or ')}`;
  return majors.every((major) => major !== undefined) ? `Node ${majors.join(' or ')} (${abiText})` : `Node ${abiText}`;
}

/** A native package and what its addons need. */
export interface PackageAddonNeed {
  readonly name: string;
  readonly need: AddonNeed;
}

/**
 * The ABIs under which every addon of the release loads: undefined when none is tied to one (all
 * Node-API), the ABIs common to all otherwise, and a message when there is none: addons installed
 * under different Nodes cannot all load in one process.
 */
export function requiredNodeAbis(needs: readonly PackageAddonNeed[]): { ok: true; abis: readonly number[] | undefined } | { ok: false; message: string } {
  const tied = needs.flatMap(({ name, need }) => (need.kind === 'abi' ? [{ name, abis: need.abis }] : []));
  if (tied.length === 0) return { ok: true, abis: undefined };
  const common = tied.reduce<readonly number[]>((abis, package_) => abis.filter((abi) => package_.abis.includes(abi)), tied[0]!.abis);
  if (common.length > 0) return { ok: true, abis: common };
  const each = tied.map(({ name, abis }) => `${name} for ${describeAbis(abis)}`).join(', ');
  return { ok: false, message: `the release's native addons were built for different Nodes (${each}), and one process loads only one ABI` };
}
