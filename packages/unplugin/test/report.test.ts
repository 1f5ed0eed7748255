import { describe, expect, it } from 'vitest';
import { esbuildErrorsOf, failureMessage } from '../src/core/report.js';
import type { BuildFailure } from '../src/core/service-build.js';

const refused: BuildFailure = {
  kind: 'project',
  error: {
    code: 'node-abi-mismatch',
    message: 'the release ships native addons (better-sqlite3) built for Node 20 (ABI 115), but the base image docker.io/library/node:24-slim runs Node 24 (ABI 137), where they cannot load',
    hint: 'install the dependencies under Node 24 (or run `npm rebuild better-sqlite3` with it) before building, or set the baseImage option to docker.io/library/node:20-slim',
  },
};

describe('a project failure with a hint', () => {
  it('gives esbuild the hint as a note of the error', () => {
    expect(esbuildErrorsOf(refused, '/srv/echo')).toEqual([
      {
        text: 'the release ships native addons (better-sqlite3) built for Node 20 (ABI 115), but the base image docker.io/library/node:24-slim runs Node 24 (ABI 137), where they cannot load',
        notes: [{ text: 'install the dependencies under Node 24 (or run `npm rebuild better-sqlite3` with it) before building, or set the baseImage option to docker.io/library/node:20-slim' }],
      },
    ]);
  });

  it('gives the other bundlers the hint on a line of its own', () => {
    expect(failureMessage(refused).split('\n')).toEqual([
      '[hecate-om] the release ships native addons (better-sqlite3) built for Node 20 (ABI 115), but the base image docker.io/library/node:24-slim runs Node 24 (ABI 137), where they cannot load',
      '  hint: install the dependencies under Node 24 (or run `npm rebuild better-sqlite3` with it) before building, or set the baseImage option to docker.io/library/node:20-slim',
    ]);
    expect(failureMessage({ kind: 'project', error: { code: 'bad-option', message: 'no hint here' } })).toBe('[hecate-om] no hint here');
  });
});
