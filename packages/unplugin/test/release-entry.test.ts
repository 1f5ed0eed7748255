import { describe, expect, it } from 'vitest';
import { takesReleaseEntry } from '../src/core/release-entry.js';

const service = '/srv/echo/src/service.ts';

describe('takesReleaseEntry', () => {
  it('takes the generated entry where the config names none (rollup CLI and watch pass input: [])', () => {
    for (const entries of [undefined, null, [], {}]) expect(takesReleaseEntry(entries, service, '/srv/echo'), JSON.stringify(entries)).toBe(true);
  });

  it('takes it where the only entry is the service module, however the config spells it', () => {
    for (const entries of ['src/service.ts', ['src/service.ts'], { main: 'src/service.ts' }, { service: './src/service.ts' }, { main: service }])
      expect(takesReleaseEntry(entries, service, '/srv/echo'), JSON.stringify(entries)).toBe(true);
  });

  it('leaves any other entry to the config, and a service module among others', () => {
    for (const entries of ['src/worker.ts', { main: 'src/main.ts' }, ['src/service.ts', 'src/worker.ts'], { main: 'virtual:hecate-om/main' }])
      expect(takesReleaseEntry(entries, service, '/srv/echo'), JSON.stringify(entries)).toBe(false);
  });

  it('resolves a relative entry against the bundler working directory, not the process', () => {
    expect(takesReleaseEntry('src/service.ts', service, '/srv/other')).toBe(false);
    expect(takesReleaseEntry('../echo/src/service.ts', service, '/srv/other')).toBe(true);
  });

  it('leaves the entries alone when the options could not be resolved', () => {
    expect(takesReleaseEntry({ main: 'src/service.ts' }, undefined, '/srv/echo')).toBe(false);
  });
});
