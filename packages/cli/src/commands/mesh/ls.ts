import { Flags, ux } from '@oclif/core';
import type { MeshInstance } from '@hecate-om/runtime';
import { countOf, HecateCommand } from '../../hecate-command.js';
import { parseServers, serverFlag } from '../../mesh/servers-flag.js';

export type MeshLsReport =
  | { readonly ok: true; readonly servers: readonly string[]; readonly instances: readonly MeshInstance[] }
  | { readonly ok: false; readonly servers: readonly string[]; readonly message: string };

export default class MeshLs extends HecateCommand {
  static override summary = 'List the services and capabilities on a NATS mesh.';

  static override description = `Asks every micro service on the server for its INFO and STATS ($SRV.INFO, $SRV.STATS, the NATS micro protocol) and prints each instance: its service name and version, instance id and health (its /health status: ok or degraded; unknown for a micro service that is not a hecate one), then its DID and the realm it is enrolled in when it has them, and the capabilities it serves with their versions (a micro service that is not a hecate one is listed with none). Replies are collected for --wait milliseconds.

Exit codes: 0 listed (possibly nothing); 1 the server cannot be reached; 2 the command line is wrong.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --server nats://10.0.0.5:4222 --json',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    server: serverFlag,
    wait: Flags.integer({ min: 1, max: 60_000, default: 1000, description: 'How long to collect INFO and STATS replies, in milliseconds.' }),
  };

  async run(): Promise<MeshLsReport> {
    const { flags } = await this.parse(MeshLs);
    const servers = parseServers(flags.server);
    if (!servers.ok) this.refuse('nothing was listed:', [servers.problem]);
    const { openMeshClient } = await import('@hecate-om/runtime');
    const opened = await openMeshClient({ urls: servers.urls });
    if (!opened.ok) return this.fail([], opened.message, { ok: false, servers: servers.urls, message: opened.message });
    try {
      const instances = await opened.client.list(flags.wait);
      this.log(`${countOf(instances.length, 'instance')} on ${servers.urls.join(', ')}`);
      for (const instance of instances) {
        this.log(`${ux.colorize('bold', `${instance.service}@${instance.serviceVersion}`)} ${instance.instance} ${healthWord(instance.health)}`);
        if (instance.did !== '') this.log(`  did ${instance.did}`);
        if (instance.realm !== '') this.log(`  realm ${instance.realm}`);
        for (const capability of instance.capabilities) this.log(`  ${capability.name} v${capability.version}`);
      }
      return { ok: true, servers: servers.urls, instances };
    } finally {
      await opened.client.close();
    }
  }
}

function healthWord(health: MeshInstance['health']): string {
  return health === 'ok' ? ux.colorize('green', health) : health === 'unknown' ? ux.colorize('dim', health) : ux.colorize('yellow', health);
}
