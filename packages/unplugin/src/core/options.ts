import { join, resolve } from 'node:path';
import { isImageReference } from './render/artifact-input.js';

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
   * The container registry in the image reference `<registry>/<org>/<name>:<version>`.
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
   * The image the Containerfile starts FROM: an official Node LTS image.
   * @default 'docker.io/library/node:24-slim'
   */
  baseImage?: string;
  /**
   * Whether to write the release tarball `<name>-<version>.tar.gz`.
   * @default true
   */
  tarball?: boolean;
  /**
   * Where the extraction cache lives, relative to `root`.
   * @default '<root>/node_modules/.cache/hecate-om'
   */
  cacheDir?: string;
}

/** Options with every default filled in and every path absolute. */
export interface ResolvedOptions {
  readonly root: string;
  readonly service: string;
  readonly registry: string;
  readonly org: string;
  readonly healthPort: number | undefined;
  readonly baseImage: string;
  readonly tarball: boolean;
  readonly cacheDir: string;
}

export const DEFAULT_REGISTRY = 'ghcr.io';
export const DEFAULT_ORG = 'hecate-om';
export const DEFAULT_BASE_IMAGE = 'docker.io/library/node:24-slim';

/** The part of the service's package.json that options fall back on. */
export interface ServicePackageJson {
  readonly repository?: unknown;
}

/**
 * Fills in every default. `root` is the bundler's root; `packageJson` is the service project's
 * package.json, read by the caller (this function does no I/O).
 */
export function resolveOptions(
  options: Options | undefined,
  root: string,
  packageJson: ServicePackageJson,
): ResolvedOptions {
  const serviceRoot = resolve(root, options?.root ?? '.');
  return {
    root: serviceRoot,
    service: resolve(serviceRoot, options?.service ?? 'src/service.ts'),
    registry: options?.registry ?? DEFAULT_REGISTRY,
    org: options?.org ?? githubOwnerOf(packageJson.repository) ?? DEFAULT_ORG,
    healthPort: options?.healthPort,
    baseImage: options?.baseImage ?? DEFAULT_BASE_IMAGE,
    tarball: options?.tarball ?? true,
    cacheDir: resolve(serviceRoot, options?.cacheDir ?? join('node_modules', '.cache', 'hecate-om')),
  };
}

/**
 * What is wrong with an option the build would otherwise only trip over after bundling, when the
 * Containerfile is rendered: checked once the options are resolved, so a bad one fails the build
 * before anything is written.
 */
export function optionsProblem(options: ResolvedOptions): string | undefined {
  if (!isImageReference(options.baseImage))
    return `the baseImage option is ${JSON.stringify(options.baseImage)}: the Containerfile starts FROM it, so it must be an image reference such as docker.io/library/node:24-slim ([registry/]path[:tag][@digest]) on one line`;
  return undefined;
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
