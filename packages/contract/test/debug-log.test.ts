import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const RULES = new URL('../dist/rules.js', import.meta.url).href;

/** Runs a process that writes one debug line, and returns its stderr. */
function stderrWith(env: Record<string, string>): string {
  const script = `import(${JSON.stringify(RULES)}).then(({ createDebugLog }) => createDebugLog()('cache: %s hit: %d files', 'memory', 3))`;
  const { DEBUG: _debug, NODE_DEBUG: _nodeDebug, ...base } = process.env;
  return spawnSync(process.execPath, ['-e', `${script}.then(() => process.stderr.write('end\\n'))`], {
    env: { ...base, ...env },
    encoding: 'utf8',
  }).stderr;
}

describe('createDebugLog', () => {
  it.each([[{ DEBUG: 'hecate-om' }], [{ DEBUG: 'vite:*,hecate-om' }], [{ DEBUG: '*' }], [{ NODE_DEBUG: 'hecate-om' }]])('writes with %j', (env) => {
    const lines = stderrWith(env).trim().split('\n');
    expect(lines[0]).toMatch(/^HECATE-OM \d+: cache: memory hit: 3 files$/);
  });

  it('writes nothing by default', () => {
    expect(stderrWith({})).toBe('end\n');
  });
});
