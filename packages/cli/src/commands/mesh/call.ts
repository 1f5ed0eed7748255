import { Args, Flags, ux } from '@oclif/core';
import type { MeshCallResult } from '@hecate-om/contract';
import { HecateCommand, type Problem } from '../../hecate-command.js';
import { parseServers, serverFlag } from '../../mesh/servers-flag.js';

export type MeshCallReport = MeshCallResult;

export default class MeshCall extends HecateCommand {
  static override summary = 'Call a capability on the mesh with a JSON payload.';

  static override description = `Finds the providers of the capability on the server (one INFO sweep), calls one addressed to its instance as a service does, and prints the answer. It fails over to another provider when one is gone and, with --idempotent, when one times out. A failure prints its stable code: no_providers, timeout, unauthorized, handler_error or payload_too_large.

Exit codes: 0 the call answered; 1 it failed (the code says why) or the server cannot be reached; 2 the command line is wrong (a payload that is not JSON, a bad --server).`;

  static override examples = [
    `<%= config.bin %> <%= command.id %> echo.say '{"text":"hello"}'`,
    `<%= config.bin %> <%= command.id %> billing.charge '{"cents":120}' --min-version 2 --timeout 2000 --json`,
  ];

  static override enableJsonFlag = true;

  static override args = {
    capability: Args.string({ required: true, description: 'The capability to call, such as echo.say.' }),
    payload: Args.string({ required: true, description: 'The payload, as JSON.' }),
  };

  static override flags = {
    server: serverFlag,
    timeout: Flags.integer({ min: 1, max: 600_000, default: 5000, description: 'How long each attempt waits for an answer, in milliseconds.' }),
    'min-version': Flags.integer({ min: 1, default: 1, description: 'The lowest capability version that will do.' }),
    idempotent: Flags.boolean({ default: false, description: 'The call is safe to run twice: a timed-out attempt goes on to another provider.' }),
  };

  async run(): Promise<MeshCallReport> {
    const { args, flags } = await this.parse(MeshCall);
    const problems: Problem[] = [];
    const servers = parseServers(flags.server);
    if (!servers.ok) problems.push(servers.problem);
    let payload: unknown;
    try {
      payload = JSON.parse(args.payload);
    } catch (error) {
      problems.push({ flag: 'PAYLOAD', message: `is not JSON: ${(error as Error).message}`, hint: `quote it for the shell: '{"text":"hello"}'` });
    }
    if (problems.length > 0 || !servers.ok) this.refuse('nothing was called:', problems);
    const { openMeshClient } = await import('@hecate-om/runtime');
    const opened = await openMeshClient({ urls: servers.urls });
    if (!opened.ok) return this.fail([], opened.message, { ok: false, error: { code: 'no_providers', message: opened.message } });
    try {
      const result = await opened.client.call(args.capability, payload, { timeout: flags.timeout, minVersion: flags['min-version'], idempotent: flags.idempotent });
      if (!result.ok) return this.fail([result.error.message], `the call failed: ${result.error.code}`, result);
      this.logToStderr(ux.colorize('dim', `answered by ${result.provider.service}@${result.provider.serviceVersion} ${result.provider.instance}`));
      this.log(JSON.stringify(result.value, null, 2));
      return result;
    } finally {
      await opened.client.close();
    }
  }
}
