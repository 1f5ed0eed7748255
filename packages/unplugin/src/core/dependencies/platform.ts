/** The platform a release with native code was built for: what its `.node` files were compiled against. */
export interface NativePlatform {
  /** `process.platform`: `linux`, `darwin`, `win32`, ... */
  readonly os: string;
  /** `process.arch`: `x64`, `arm64`, ... */
  readonly cpu: string;
  /** On Linux, the C library the addons link against; absent elsewhere. */
  readonly libc?: 'glibc' | 'musl';
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
 * from a per-architecture namespace. Unknown parts are left out.
 */
export function imagePlatform(image: string): { libc?: 'glibc' | 'musl'; cpu?: string } {
  const withoutDigest = image.split('@')[0]!;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
  const tag = colon > slash ? withoutDigest.slice(colon + 1) : 'latest';
  const segments = repository.split('/');
  const cpu = segments.map((segment) => ARCH_NAMESPACES[segment]).find((arch) => arch !== undefined);
  const libc = /alpine/i.test(tag) ? 'musl' : segments.at(-1) === 'node' ? 'glibc' : undefined;
  return { ...(libc === undefined ? {} : { libc }), ...(cpu === undefined ? {} : { cpu }) };
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
