import { abiOfNodeMajor, describeAbis } from './addon-abi.js';

/** The platform a release with native code was built for: what its `.node` files were compiled against. */
export interface NativePlatform {
  /** `process.platform`: `linux`, `darwin`, `win32`, ... */
  readonly os: string;
  /** `process.arch`: `x64`, `arm64`, ... */
  readonly cpu: string;
  /** On Linux, the C library the addons link against; absent elsewhere. */
  readonly libc?: 'glibc' | 'musl';
  /**
   * The `process.versions.modules` values under which every shipped addon loads (one, unless a
   * package ships prebuilt addons for several), read from the addons themselves; absent when all are
   * Node-API addons, which load under any Node.
   */
  readonly nodeAbi?: number[];
  /** The Node majors of `nodeAbi` (those node-abi's registry knows), for people and for the base image. */
  readonly nodeMajors?: number[];
}

/**
 * The build machine's platform. glibc announces itself in Node's diagnostic report
 * (`header.glibcVersionRuntime`, the test detect-libc uses); a Linux without it is musl (Alpine).
 */
export function buildPlatform(): NativePlatform {
  if (process.platform !== 'linux') return { os: process.platform, cpu: process.arch };
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return { os: 'linux', cpu: process.arch, libc: header?.glibcVersionRuntime === undefined ? 'musl' : 'glibc' };
}

/** Docker's per-architecture official-image namespaces (`arm64v8/node`), by Node's `process.arch`. */
const ARCH_NAMESPACES: Readonly<Record<string, string>> = {
  amd64: 'x64',
  arm64v8: 'arm64',
  arm32v7: 'arm',
  arm32v6: 'arm',
  i386: 'ia32',
  ppc64le: 'ppc64',
  s390x: 's390x',
};

/**
 * What can be told of the platform an image reference runs: Linux always; musl for an Alpine tag
 * (`node:24-alpine`), glibc for the other tags of the official node image (Debian); the CPU only
 * from a per-architecture namespace; the Node major from an official node image's tag (see
 * nodeMajorOfTag). Unknown parts are left out.
 */
export function imagePlatform(image: string): { libc?: 'glibc' | 'musl'; cpu?: string; nodeMajor?: number } {
  const withoutDigest = image.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : 'latest';
  const segments = repository.split('/');
  const cpu = segments.map((segment) => ARCH_NAMESPACES[segment]).find((arch) => arch !== undefined);
  const libc = /alpine/i.test(tag) ? 'musl' : segments.at(-1) === 'node' ? 'glibc' : undefined;
  const nodeMajor = segments.at(-1) === 'node' ? nodeMajorOfTag(tag) : undefined;
  return { ...(libc === undefined ? {} : { libc }), ...(cpu === undefined ? {} : { cpu }), ...(nodeMajor === undefined ? {} : { nodeMajor }) };
}

/** The LTS codenames the official node image tags by (`node:iron-slim`), with their majors. */
const LTS_CODENAMES: Readonly<Record<string, number>> = { hydrogen: 18, iron: 20, jod: 22, krypton: 24 };

/**
 * The Node major an official node image tag names: `24`, `24-slim`, `24.11.1-bookworm-slim`,
 * `krypton-alpine`. Moving tags (`latest`, `lts`, `current`, `slim`) name none: what they run changes.
 */
function nodeMajorOfTag(tag: string): number | undefined {
  const numbered = /^(\d+)(?:[.-]|$)/.exec(tag)?.[1];
  if (numbered !== undefined) return Number(numbered);
  const codename = /^([a-z]+)(?:-|$)/.exec(tag)?.[1];
  return codename !== undefined && Object.hasOwn(LTS_CODENAMES, codename) ? LTS_CODENAMES[codename] : undefined;
}

/**
 * Why native code built here cannot load in the base image, or undefined when nothing is known to
 * differ: a `.node` file links against one C library and runs on one CPU.
 */
export function platformMismatch(built: NativePlatform, baseImage: string, nativePackages: readonly string[]): string | undefined {
  const image = imagePlatform(baseImage);
  const names = nativePackages.join(', ');
  if (built.os !== 'linux')
    return `the release ships native code (${names}) built for ${built.os}-${built.cpu}, but the Containerfile's base image ${baseImage} runs Linux: build the release on Linux (in a container of the base image, or in CI)`;
  if (image.libc !== undefined && built.libc !== undefined && image.libc !== built.libc)
    return `the release ships native code (${names}) linked against ${built.libc}, but the base image ${baseImage} has ${image.libc}: build on a ${image.libc} system or choose a ${built.libc} base image (the baseImage option)`;
  if (image.cpu !== undefined && image.cpu !== built.cpu)
    return `the release ships native code (${names}) compiled for ${built.cpu}, but the base image ${baseImage} is for ${image.cpu}: build on ${image.cpu} or choose a base image for ${built.cpu} (the baseImage option)`;
  return undefined;
}

/** Whether the base image runs a Node the release's addons load under. */
export type NodeImageCheck =
  | { readonly kind: 'fits' }
  /** It does not: the build fails, saying what to change. */
  | { readonly kind: 'refuse'; readonly message: string; readonly hint: string }
  /** The image reference does not tell: the build goes on and says so (the runtime checks at boot). */
  | { readonly kind: 'warn'; readonly message: string };

/**
 * Checks the Node major an official node image names against the ABIs the addons need (`built.nodeAbi`,
 * of the packages `tiedPackages`). A tag that names no major (a digest alone, `latest`, a custom image)
 * is a warning, not a guess: the release's boot refuses a Node of another ABI with a message of its own.
 */
export function nodeImageCheck(built: NativePlatform, baseImage: string, tiedPackages: readonly string[]): NodeImageCheck {
  if (built.nodeAbi === undefined) return { kind: 'fits' };
  const addons = `native addons (${tiedPackages.join(', ')}) built for ${describeAbis(built.nodeAbi)}`;
  const wanted = built.nodeMajors?.at(-1);
  const imageMajor = imagePlatform(baseImage).nodeMajor;
  const imageAbi = imageMajor === undefined ? undefined : abiOfNodeMajor(imageMajor);
  if (imageMajor === undefined || imageAbi === undefined) {
    const why = imageMajor === undefined ? 'it is not an official node image whose tag names a Node major' : `node-abi does not know the ABI of Node ${imageMajor}`;
    const example = wanted === undefined ? '' : `, as ${nodeImageLike(baseImage, wanted)} does`;
    return {
      kind: 'warn',
      message: `the release ships ${addons}, and the base image ${baseImage} cannot be checked (${why}): it must run ${describeAbis(built.nodeAbi)} for them to load (the release checks at boot)${example}`,
    };
  }
  if (built.nodeAbi.includes(imageAbi)) return { kind: 'fits' };
  const rebuild = `install the dependencies under Node ${imageMajor} (or run \`npm rebuild ${tiedPackages.join(' ')}\` with it) before building`;
  return {
    kind: 'refuse',
    message: `the release ships ${addons}, but the base image ${baseImage} runs Node ${imageMajor} (ABI ${imageAbi}), where they cannot load`,
    hint: wanted === undefined ? rebuild : `${rebuild}, or set the baseImage option to ${nodeImageLike(baseImage, wanted)}`,
  };
}

/** `baseImage` for another Node major: its repository, its tag's major (or codename) replaced, no digest. */
function nodeImageLike(baseImage: string, major: number): string {
  const withoutDigest = baseImage.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= slash || imagePlatform(baseImage).nodeMajor === undefined) return nodeImage(major);
  const tag = withoutDigest.slice(colon + 1).replace(/^(?:\d+(?:\.\d+)*|[a-z]+)/, String(major));
  return `${withoutDigest.slice(0, colon)}:${tag}`;
}

/** The official slim image of a Node major: the default base image's form. */
export function nodeImage(major: number): string {
  return `docker.io/library/node:${major}-slim`;
}
