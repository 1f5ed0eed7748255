import { join, resolve } from 'node:path';
import { DEFAULT_HEALTH_PORT, DEFAULT_ORG, DEFAULT_REGISTRY, IMAGE_REFERENCE_PROBLEM, isImageReference, registryProblem } from '@hecate-om/contract/rules';
import { nodeImage } from './dependencies/platform.js';

/** What a build config passes to the plugin. Every field is optional. */
export interface Options {
  /**
   * The module whose default export is the contract class, relative to `root`.
   * @default 'src/service.ts'
   */
  service?: string;
  /**
   * The service project: the directory holding its `package.json`.
   * @default the bundler's root (vite `root`), else `process.cwd()`
   */
  root?: string;
  /**
   * The container registry in the image reference `<registry>/<org>/<name>:<version>`: a host with
   * a dot or a port (`registry.example.com`, `myregistry:5000`), since the Quadlet unit's
   * `AutoUpdate=registry` needs a fully qualified image name.
   * @default 'ghcr.io'
   */
  registry?: string;
  /**
   * The registry namespace in the image reference.
   * @default the GitHub owner of package.json `repository`, else 'hecate-om'
   */
  org?: string;
  /**
   * The port of the health endpoint, written into the manifest.
   * @default 8470
   */
  healthPort?: number;
  /**
   * The image the Containerfile starts FROM: an official Node LTS image. When the release ships
   * native addons compiled for another Node (better-sqlite3 installed under Node 20), the default is
   * that Node's image (`docker.io/library/node:20-slim`), with a warning; a baseImage whose tag names
   * a Node the addons cannot load under fails the build.
   * @default 'docker.io/library/node:24-slim'
   */
  baseImage?: string;
  /**
   * Whether to write the release tarball `<name>-<version>.tar.gz`.
   * @default true
   */
  tarball?: boolean;
  /**
   * Where the analysis cache, the last packed tarball and the digests of the shipped package
   * files live, relative to `root`.
   * @default '<root>/node_modules/.cache/hecate-om'
   */
  cacheDir?: string;
  /**
   * Files the service reads at run time (prompts, templates, SQL, a worker script), as globs
   * relative to `root` (`['prompts/**', 'sql/*.sql']`). Each match ships at the same path inside the
   * release, whose top folder stands for `root`: find them with `serviceFile(import.meta.url, path)`
   * from `@hecate-om/runtime`, which gives the same answer from the sources and from the release.
   * @default []
   */
  files?: readonly string[];
}

/** The Node major of the default base image: the newest LTS. */
export const DEFAULT_NODE_MAJOR = 24;

/**
 * Every option's default, the one place it is written. `root`, `service` and `cacheDir` are then
 * made absolute, and `org` first tries package.json's GitHub owner (see resolveOptions).
 */
export const DEFAULTS = Object.freeze({
  service: 'src/service.ts',
  root: '.',
  registry: DEFAULT_REGISTRY,
  org: DEFAULT_ORG,
  healthPort: DEFAULT_HEALTH_PORT,
  baseImage: nodeImage(DEFAULT_NODE_MAJOR),
  tarball: true,
  cacheDir: join('node_modules', '.cache', 'hecate-om'),
  files: Object.freeze([]),
} satisfies Required<Options>);

/** Options with every default filled in and every path absolute: the only form that travels inward. */
export type ResolvedOptions = Readonly<Required<Options>>;

/** The options the derived manifest depends on: the analysis reads them, so the cache key holds them. */
const ANALYSIS_OPTIONS = ['root', 'service', 'registry', 'org', 'healthPort'] as const satisfies readonly (keyof Options)[];

export type AnalysisOptions = Pick<ResolvedOptions, (typeof ANALYSIS_OPTIONS)[number]>;

export function analysisOptionsOf(options: ResolvedOptions): AnalysisOptions {
  return Object.fromEntries(ANALYSIS_OPTIONS.map((name) => [name, options[name]])) as unknown as AnalysisOptions;
}

/** The part of the service's package.json that options fall back on. */
export interface ServicePackageJson {
  readonly repository?: unknown;
}

/**
 * Fills in every default. `root` is the bundler's root; `packageJson` is the service project's
 * package.json, and `addonNodeMajors` the Node majors the release's native addons load under (empty
 * when none is tied to one), both read by the caller (this function does no I/O).
 */
export function resolveOptions(
  options: Options | undefined,
  root: string,
  packageJson: ServicePackageJson,
  addonNodeMajors: readonly number[] = [],
): ResolvedOptions {
  const serviceRoot = resolve(root, options?.root ?? DEFAULTS.root);
  return {
    root: serviceRoot,
    service: resolve(serviceRoot, options?.service ?? DEFAULTS.service),
    registry: options?.registry ?? DEFAULTS.registry,
    org: options?.org ?? githubOwnerOf(packageJson.repository) ?? DEFAULTS.org,
    healthPort: options?.healthPort ?? DEFAULTS.healthPort,
    baseImage: options?.baseImage ?? defaultBaseImage(addonNodeMajors),
    tarball: options?.tarball ?? DEFAULTS.tarball,
    cacheDir: resolveCacheDir(options, serviceRoot),
    files: options?.files ?? DEFAULTS.files,
  };
}

/**
 * What is wrong with an option the build would otherwise only trip over after bundling, when the
 * Containerfile is rendered: checked once the options are resolved, so a bad one fails the build
 * before anything is written.
 */
export function optionsProblem(options: ResolvedOptions): string | undefined {
  const registry = registryProblem(options.registry);
  if (registry !== undefined) return `the registry option ${JSON.stringify(options.registry)} ${registry}`;
  if (!isImageReference(options.baseImage))
    return `the baseImage option is ${JSON.stringify(options.baseImage)}: the Containerfile starts FROM it, so it ${IMAGE_REFERENCE_PROBLEM} on one line`;
  return undefined;
}

/** The absolute cache folder: also needed before the rest is resolved (the package file digests live there). */
export function resolveCacheDir(options: Options | undefined, serviceRoot: string): string {
  return resolve(serviceRoot, options?.cacheDir ?? DEFAULTS.cacheDir);
}

/**
 * The default image, unless the addons cannot load on its Node: then the image of the newest Node
 * they load under. The user did not choose an image, so the one chosen for them must run the release
 * built; refusing would make every Node 20 build with better-sqlite3 name an image to pass.
 */
function defaultBaseImage(addonNodeMajors: readonly number[]): string {
  if (addonNodeMajors.length === 0 || addonNodeMajors.includes(DEFAULT_NODE_MAJOR)) return DEFAULTS.baseImage;
  return nodeImage(Math.max(...addonNodeMajors));
}

const GITHUB_OWNER_PATTERNS = [
  /^(?:git\+)?(?:https?|ssh|git):\/\/(?:[^@/]+@)?github\.com[/:]([^/]+)\//,
  /^git@github\.com:([^/]+)\//,
  /^github:([^/]+)\//,
  /^([A-Za-z0-9-]+)\/[A-Za-z0-9._-]+$/,
];

/** `https://github.com/acme/echo.git`, `github:acme/echo`, `acme/echo` → `acme` (lowercased). */
export function githubOwnerOf(repository: unknown): string | undefined {
  const url =
    typeof repository === 'string'
      ? repository
      : typeof repository === 'object' && repository !== null && 'url' in repository
        ? (repository as { url: unknown }).url
        : undefined;
  if (typeof url !== 'string') return undefined;
  for (const pattern of GITHUB_OWNER_PATTERNS) {
    const owner = pattern.exec(url)?.[1];
    if (owner !== undefined) return owner.toLowerCase();
  }
  return undefined;
}
