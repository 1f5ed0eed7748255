import { resolve } from 'node:path';
import { Flags, ux } from '@oclif/core';
import { PORT_MAX } from '@hecate-om/contract/rules';
import type { RealmStartError } from '@hecate-om/realm';
import { HecateCommand, type Problem } from '../../hecate-command.js';
import { dataDirFlag } from '../../realm/data-dir.js';

/** The realm's own default port; `--port 0` picks a free one. */
const DEFAULT_REALM_PORT = 8471;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface RealmDevReport {
  readonly url: string;
  readonly did: string;
  readonly name: string;
  readonly dataDir: string;
  /** The signal that stopped it. */
  readonly stoppedBy: (typeof STOP_SIGNALS)[number];
}

export default class RealmDev extends HecateCommand {
  static override summary = 'Run a development realm on loopback: it enrolls any instance and grants what it asks.';

  static override description = `FOR DEVELOPMENT ONLY, and it says so loudly: it enrolls any instance on its first claim and grants a service the policy does not name whatever it asks for under hecate://, for at most a day. Services named by --policy keep their grants. It listens on 127.0.0.1 and serves the realm's HTTP API (GET /api/v1/realm, GET /api/v1/revocations, POST /api/v1/services/provision).

The data directory keeps the realm's key, so its DID (the HECATE_REALM_DID services pin) stays the same across restarts; it is created (0700) if missing. Every decision is logged as one JSON line on stdout. SIGINT (Ctrl-C) or SIGTERM stops it cleanly, exit code 0.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --policy realm-policy.json --port 0 --data-dir /tmp/realm',
    '<%= config.bin %> <%= command.id %> --json',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    policy: Flags.string({ description: 'A policy file (JSON) whose services keep their own grants. [default: none: every service gets the development defaults]' }),
    port: Flags.integer({ default: DEFAULT_REALM_PORT, min: 0, max: PORT_MAX, description: 'Port on 127.0.0.1; 0 picks a free one, which the output names.' }),
    'data-dir': dataDirFlag('its key, enrollments, join tokens and revocations; created if missing'),
  };

  /** Under --json, stdout is JSON lines (the realm's log, then this report), so the report is one line too. */
  protected override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json)}\n`);
  }

  async run(): Promise<RealmDevReport> {
    const { flags } = await this.parse(RealmDev);
    const { startRealm } = await import('@hecate-om/realm');
    const dataDir = resolve(flags['data-dir']);
    // Listening for the stop signals before the realm starts, so one sent during start-up stops it too.
    const handlers = new Map<NodeJS.Signals, () => void>();
    const stopped = new Promise<RealmDevReport['stoppedBy']>((resolveStop) => {
      for (const signal of STOP_SIGNALS) handlers.set(signal, () => resolveStop(signal));
    });
    for (const [signal, handler] of handlers) process.once(signal, handler);
    const started = await startRealm({ dev: true, dataDir, policyFile: flags.policy, port: flags.port });
    const forgetSignals = (): void => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    if (!started.ok) {
      forgetSignals();
      this.refuse('the development realm did not start:', await startProblems(started.error));
    }

    const realm = started.value;
    const bold = (text: string): string => ux.colorize('bold', text);
    for (const line of [
      `${bold('Development realm')} ${realm.name} listening on ${realm.url}`,
      `  DID       ${realm.did}`,
      `  data dir  ${dataDir}`,
      'Point services at it with:',
      `  HECATE_REALM_URL=${realm.url} HECATE_REALM_DID=${realm.did}`,
      'Ctrl-C stops it.',
    ])
      this.logToStderr(line);
    const stoppedBy = await stopped;
    forgetSignals();
    await realm.close();
    this.logToStderr(`development realm stopped (${stoppedBy})`);
    return { url: realm.url, did: realm.did, name: realm.name, dataDir, stoppedBy };
  }
}

/** Each start-up failure as a refusal of the flag that caused it. */
async function startProblems(error: RealmStartError): Promise<Problem[]> {
  if (error.code === 'INVALID_POLICY') {
    const { policyFlagProblems } = await import('../../realm/policy-problems.js');
    return policyFlagProblems(error.problems ?? []);
  }
  if (error.code === 'LISTEN') return [{ flag: '--port', message: error.message, hint: 'stop what holds the port, or choose another (--port 0 picks a free one)' }];
  return [{ flag: error.code === 'INVALID_OPTIONS' ? '--policy' : '--data-dir', message: error.message }];
}
