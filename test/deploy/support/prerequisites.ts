import { access, readFile } from 'node:fs/promises';
import { run, runOk } from './run.js';

/** A command the deployment tests run, and the Debian package that brings it. */
interface Need {
  readonly command: string;
  readonly debianPackage: string;
  readonly why: string;
}

const NEEDS: readonly Need[] = [
  { command: 'podman', debianPackage: 'podman', why: 'builds and runs the image' },
  { command: 'runc', debianPackage: 'runc', why: 'the OCI runtime (crun 1.8 refuses hybrid cgroup layouts)' },
  { command: 'catatonit', debianPackage: 'catatonit', why: 'the init that podman --init and RunInit=true start' },
  { command: 'newuidmap', debianPackage: 'uidmap', why: 'user namespaces' },
  { command: 'slirp4netns', debianPackage: 'slirp4netns', why: 'published ports' },
  { command: 'mmdebstrap', debianPackage: 'mmdebstrap', why: 'builds the Debian root filesystems of the stand-in images' },
  { command: 'systemd-analyze', debianPackage: 'systemd', why: 'verifies the generated service' },
  { command: 'tar', debianPackage: 'tar', why: 'unpacks the Node binaries' },
];

async function onPath(command: string): Promise<boolean> {
  const result = await run('sh', ['-c', `command -v "$1" || test -x "/usr/libexec/podman/$1"`, 'sh', command]);
  return result.code === 0;
}

async function isDebian(): Promise<boolean> {
  try {
    await access('/etc/debian_version');
    return /^ID=debian$/m.test(await readFile('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Makes sure every command the deployment tests run is there: installs the missing ones with
 * apt-get when running as root on Debian, and otherwise throws naming each missing command, the
 * package that brings it and why it is needed. Never lets the suite pass without them.
 */
export async function ensurePrerequisites(): Promise<void> {
  const missing: Need[] = [];
  for (const need of NEEDS) if (!(await onPath(need.command))) missing.push(need);
  if (missing.length === 0) return;

  const packages = [...new Set(missing.map((need) => need.debianPackage))];
  if (process.getuid?.() === 0 && (await isDebian())) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await runOk('apt-get', ['update', '-qq'], { env, timeoutMs: 300_000 });
    await runOk('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env, timeoutMs: 600_000 });
    return;
  }
  throw new Error(
    'npm run test:deploy needs root on Debian 12 or later (it installs what is missing with apt-get), or these commands on the PATH:\n' +
      missing.map((need) => `  ${need.command} (Debian package ${need.debianPackage}): ${need.why}`).join('\n'),
  );
}
