import { describe, expect, it } from 'vitest';
import { checkScaffoldInput, type ScaffoldFlags } from '../src/scaffold/scaffold-input.js';

const good: ScaffoldFlags = { name: 'hecate-billing', description: 'Bills usage over the mesh', org: 'acme', registry: 'ghcr.io', healthPort: 8470 };

describe('checkScaffoldInput', () => {
  it('accepts good flags and derives the names', () => {
    const result = checkScaffoldInput(good);
    expect(result.ok && result.value.names.imageRepository).toBe('ghcr.io/acme/hecate-billing');
  });

  it('accepts the longest DNS label and the extreme ports', () => {
    expect(checkScaffoldInput({ ...good, name: `a${'b'.repeat(62)}` }).ok).toBe(true);
    expect(checkScaffoldInput({ ...good, healthPort: 1 }).ok).toBe(true);
    expect(checkScaffoldInput({ ...good, healthPort: 65_535 }).ok).toBe(true);
  });

  it('reports every refused flag at once, each by name', () => {
    const result = checkScaffoldInput({ name: 'Billing', description: 'a\u2028b', org: '-acme', registry: 'https://ghcr.io', healthPort: 0 });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((problem) => problem.flag)).toEqual(['--name', '--description', '--org', '--registry', '--health-port']);
  });

  it('refuses a name longer than a DNS label, with a hyphen at either end or doubled', () => {
    for (const name of [`a${'b'.repeat(63)}`, '-billing', 'billing-', 'hecate--billing', '1billing', 'hecate_billing', 'hecate.billing'])
      expect(checkScaffoldInput({ ...good, name }).ok, name).toBe(false);
  });

  it('says what is wrong with a description', () => {
    const result = checkScaffoldInput({ ...good, description: '   ' });
    expect(!result.ok && result.problems).toEqual([{ flag: '--description', message: '"   " must not be empty (it holds no visible character)' }]);
  });
});
