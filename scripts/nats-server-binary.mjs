// Where nats-server is, for the mesh tests (test/support/nats-server.ts) and `npm run demo`: on
// PATH or where Debian puts it; when missing on Debian and running as root, Debian's package is
// installed, as a developer and CI get it. Anywhere else the error says what to install.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian puts the binary in /usr/sbin, which a non-login root shell may not have on its PATH. */
const SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin'];

const INSTALL_HINT =
  'Install it (Debian: apt-get install nats-server; elsewhere: https://docs.nats.io/running-a-nats-service/introduction/installation) and put it on PATH';

let cachedBinary;

function findOnPath(name) {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...SEARCH_DIRS]) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory: try the next
    }
  }
  return undefined;
}

/** Whether this process may install Debian's package: root, on Debian. */
function canInstallNatsServer() {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version');
}

/**
 * The nats-server binary's path. When it is missing and `canInstallNatsServer()`, installs Debian's
 * package (`apt-get update`, then `apt-get install -y nats-server`); otherwise throws with what to
 * install.
 */
export function natsServerBinary() {
  if (cachedBinary !== undefined) return cachedBinary;
  let found = findOnPath('nats-server');
  if (found === undefined) {
    if (!canInstallNatsServer()) throw new Error(`nats-server is not installed. ${INSTALL_HINT}`);
    const options = { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
    execFileSync('apt-get', ['update'], options);
    execFileSync('apt-get', ['install', '-y', 'nats-server'], options);
    found = findOnPath('nats-server');
    if (found === undefined) throw new Error('apt-get installed nats-server but no nats-server binary is on PATH or in /usr/sbin');
  }
  cachedBinary = found;
  return found;
}
