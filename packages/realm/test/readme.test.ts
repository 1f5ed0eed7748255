import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { REFUSALS } from '../src/index.js';

describe('the README', () => {
  it('lists every refusal code with its status, and no code the realm does not have', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('### Refusal codes'), readme.indexOf('## Decision log'));
    const rows = [...table.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map(([, code, status]) => [code, Number(status)]);
    expect(rows).toEqual(Object.entries(REFUSALS).map(([code, { status }]) => [code, status]));
  });
});
