import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEMD_IMAGE } from './support/base-images.js';
import { containerName } from './support/containers.js';
import { podman, podmanResult } from './support/podman.js';
import { runOk } from './support/run.js';
import { deploySetup } from './support/setup.js';

const { home, work, releaseDir, manifest, imageArchive } = deploySetup();
const unitFile = `${manifest.name}.container`;
const service = `${manifest.name}.service`;
const machine = containerName('systemd');
const QUADLET = '/usr/libexec/podman/quadlet';

/**
 * podman 5.4 inside the systemd container: the same runtime and limits as outside (see
 * support/podman.ts), no network (nothing needs netavark or touches the host's), and no pids limit,
 * which runc would write to a pids controller that the hybrid host keeps in cgroup v1.
 */
const INNER_CONTAINERS_CONF = `[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "none"
pids_limit = 0

[engine]
runtime = "runc"
`;

/**
 * systemd as PID 1 with a cgroup2 tree of its own: the host's hierarchy is hybrid (v1 controllers),
 * so the container's v1 mounts are replaced by the unified hierarchy in a new cgroup namespace.
 */
const BOOT = 'umount -R /sys/fs/cgroup && exec unshare --cgroup sh -c "mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec /sbin/init"';

function inside(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return podman(home, ['exec', machine, ...args], { timeoutMs });
}
function insideResult(args: readonly string[], timeoutMs = 120_000) {
  return podmanResult(home, ['exec', machine, ...args], { timeoutMs });
}
async function unitProperty(name: string): Promise<string> {
  return (await inside(['systemctl', 'show', '--value', '--property', name, service])).trim();
}
/** Polls until `check` resolves true, for at most `timeoutMs`; rejects saying what it waited for. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      const status = await insideResult(['systemctl', 'status', '--no-pager', '--lines=30', service]);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${status.stdout}${status.stderr}`);
    }
    await sleep(500);
  }
}
/** The value of `key` in the generated unit (the first one). */
function unitValue(unit: string, key: string): string {
  const found = new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1];
  if (found === undefined) throw new Error(`${unitFile} has no ${key}=`);
  return found;
}

let unit: string;

beforeAll(async () => {
  unit = await readFile(join(releaseDir, unitFile), 'utf8');
  const root = join(work, 'systemd');
  await mkdir(join(root, 'storage'), { recursive: true });
  await mkdir(join(root, 'units'), { recursive: true });
  await writeFile(join(root, 'containers.conf'), INNER_CONTAINERS_CONF);
  await copyFile(join(releaseDir, unitFile), join(root, 'units', unitFile));
  await podman(home, [
    'run', '--detach', '--name', machine, '--privileged', '--cgroupns=host',
    // A real directory for the inner podman's storage: overlay cannot stack on the container's overlay.
    '--volume', `${join(root, 'storage')}:/var/lib/containers`,
    '--volume', `${join(root, 'containers.conf')}:/etc/containers/containers.conf:ro`,
    '--volume', `${join(root, 'units')}:/srv/units:ro`,
    '--volume', `${imageArchive}:/srv/service-image.tar:ro`,
    SYSTEMD_IMAGE, 'sh', '-c', BOOT,
  ]);
  // Start-up is over at "running", or "degraded" (kernel modules cannot load here); before the
  // system bus is up, systemctl answers nothing at all.
  await until('systemd to finish starting', async () => /^(running|degraded)$/m.test((await insideResult(['systemctl', 'is-system-running'])).stdout), 120_000);
  await inside(['podman', 'load', '--quiet', '--input', '/srv/service-image.tar'], 180_000);
  await inside(['sh', '-c', `mkdir -p /etc/containers/systemd && cp /srv/units/${unitFile} /etc/containers/systemd/`]);
});
afterAll(async () => {
  await podmanResult(home, ['rm', '--force', '--time', '0', machine]);
});

describe('the Quadlet unit, through the generator of podman 5.4 (Debian 13)', () => {
  it('generates the system service without a warning', async () => {
    const result = await insideResult([QUADLET, '-dryrun', '-v']);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter((line) => /warn|error|unsupported|unknown/i.test(line))).toEqual([]);
    expect(result.stdout).toContain(`---${service}---`);
    expect(result.stdout).toContain('--userns keep-id:uid=1000,gid=1000');
  });

  it('generates the user service without a warning', async () => {
    const result = await insideResult(['env', 'QUADLET_UNIT_DIRS=/srv/units', QUADLET, '-user', '-dryrun', '-v']);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n').filter((line) => /warn|error|unsupported|unknown/i.test(line))).toEqual([]);
    expect(result.stdout).toContain(`---${service}---`);
  });

  it('generates a service that systemd-analyze verify accepts, with network-online.target named once', async () => {
    await inside(['systemctl', 'daemon-reload']);
    const generated = await inside(['systemctl', 'cat', service]);
    expect(generated.match(/^Wants=network-online\.target$/gm)).toHaveLength(1);
    expect(generated.match(/^After=network-online\.target$/gm)).toHaveLength(1);
    const verified = await insideResult(['systemd-analyze', 'verify', `/run/systemd/generator/${service}`]);
    expect([verified.code, verified.stderr]).toEqual([0, '']);

    // The host's systemd (252 on Debian 12) accepts it as well.
    const copy = join(work, 'systemd', service);
    await writeFile(copy, await inside(['cat', `/run/systemd/generator/${service}`]));
    await runOk('systemd-analyze', ['verify', copy]);
  });
});

describe('the Quadlet unit, run by systemd 257 as PID 1 with podman 5.4', () => {
  it('starts once healthy, reads a secrets directory made as DEPLOY.md says, reaps orphans and stops with success', async () => {
    // Rootful: the service user is the host's uid 1000.
    await inside(['sh', '-c', `install -d -m 0700 -o 1000 -g 1000 ${manifest.paths.secrets} && echo granted > ${manifest.paths.secrets}/token && chown 1000:1000 ${manifest.paths.secrets}/token && chmod 0600 ${manifest.paths.secrets}/token`]);
    await inside(['systemctl', 'start', service], 120_000);
    expect(await unitProperty('ActiveState')).toBe('active');
    const health = await insideResult(['podman', 'healthcheck', 'run', manifest.name]);
    expect(health.code).toBe(0);

    expect((await inside(['podman', 'exec', manifest.name, 'cat', `${manifest.paths.secrets}/token`])).trim()).toBe('granted');
    expect(await inside(['podman', 'inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', manifest.name])).toBe('true\n');
    expect(/^CapEff:\s+(\w+)/m.exec(await inside(['podman', 'exec', manifest.name, 'cat', '/proc/self/status']))?.[1]).toBe('0000000000000000');

    await inside(['podman', 'exec', manifest.name, 'sh', '-c', 'sleep 0.2 &']);
    await sleep(1500);
    const zombies = await inside(['podman', 'exec', manifest.name, 'sh', '-c', 'grep -l "^State:[[:space:]]*Z" /proc/[0-9]*/status || true']);
    expect(zombies).toBe('');

    await inside(['systemctl', 'stop', service], 60_000);
    expect(await unitProperty('ActiveState')).toBe('inactive');
    expect(await unitProperty('Result')).toBe('success');
  });

  it('kills a hung service through its health check and starts it again', async () => {
    await inside(['systemctl', 'start', service], 120_000);
    // The service's node (the health checks run `node main.js --healthcheck`), as this PID namespace sees it.
    // Whatever flags the CMD gives node (--enable-source-maps), but not a `main.js --healthcheck` probe.
    const hpid = (await inside(['pgrep', '--full', '^node( --[a-z-]+)* main[.]js$'])).trim();
    expect(hpid).toMatch(/^\d+$/);
    await inside(['kill', '-STOP', hpid]);

    // Three failed checks 10 s apart, the kill, RestartSec=10, then a start until healthy again.
    await until('the restart', async () => Number(await unitProperty('NRestarts')) >= 1 && (await unitProperty('ActiveState')) === 'active', 150_000);
    expect((await insideResult(['podman', 'healthcheck', 'run', manifest.name])).code).toBe(0);
    await inside(['systemctl', 'stop', service], 60_000);
  });

  it('makes a rootless operator\'s own 0700 secrets directory readable through the unit\'s UserNS=', async () => {
    const userNs = unitValue(unit, 'UserNS');
    const secretsVolume = unitValue(unit, 'Volume');
    const script = [
      'set -e',
      'export XDG_RUNTIME_DIR=/tmp/xdg-hecateop HOME=/home/hecateop',
      'install -d -m 0700 "$XDG_RUNTIME_DIR" ~/.config/containers',
      // The user's podman keeps its storage in vfs: overlay cannot stack on the container's overlay.
      'printf \'[storage]\\ndriver = "vfs"\\n\' > ~/.config/containers/storage.conf',
      'podman load --quiet --input /srv/service-image.tar >/dev/null',
      `mkdir -p ~/secrets && chmod 0700 ~/secrets && echo granted > ~/secrets/token && chmod 0600 ~/secrets/token`,
      `volume=$(printf %s "${secretsVolume}" | sed "s|^${manifest.paths.secrets}:|$HOME/secrets:|")`,
      `podman run --rm --userns ${userNs} --volume "$volume" ${manifest.image} cat ${manifest.paths.secrets}/token`,
      // Without the mapping the same directory is unreadable: the check above can fail.
      `podman run --rm --volume "$volume" ${manifest.image} cat ${manifest.paths.secrets}/token 2>&1 || echo refused`,
    ].join('\n');
    await inside(['useradd', '--create-home', '--user-group', '--uid', '1500', 'hecateop']);
    const out = await inside(['su', 'hecateop', '-c', script], 300_000);
    // podman's own complaints about the missing user session (no systemd --user here) are not the service's.
    expect(out.split('\n').filter((line) => line !== '' && !line.startsWith('time='))).toEqual([
      'granted',
      `cat: ${manifest.paths.secrets}/token: Permission denied`,
      'refused',
    ]);
  });
});
