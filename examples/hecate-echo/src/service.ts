import { HecateService, type Health, type StartOptions } from '@hecate-om/contract';
import pkg from '../package.json' with { type: 'json' };

export default class EchoService extends HecateService<{ startedAt: number }> {
  async start(opts: StartOptions): Promise<{ startedAt: number }> {
    opts.mesh.serve('echo.say', (payload) => ({ said: payload }));
    opts.log.info('echo ready', { capabilities: this.capabilities().length });
    return { startedAt: Date.now() };
  }

  async stop(_state: { startedAt: number }): Promise<void> {}

  health(): Health {
    return 'ok';
  }

  capabilities() {
    return [{ name: 'echo.say', version: 1 }] as const;
  }

  identitySpec() {
    return { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 };
  }

  info() {
    return { name: 'hecate-echo', version: pkg.version, description: 'Echoes over the mesh' };
  }
}
