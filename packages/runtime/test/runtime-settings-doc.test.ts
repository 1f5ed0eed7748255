import { readFileSync } from 'node:fs';
import { RUNTIME_SETTING_NAMES, RUNTIME_SETTINGS } from '@hecate-om/contract/rules';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const rows = readme.split('\n').filter((line) => line.startsWith('| `HECATE_'));

describe("the README's environment table", () => {
  it('has one row per runtime setting, in the table order, each with the setting\'s own doc line', () => {
    expect(rows.map((row) => row.split(' | ')[0])).toEqual(RUNTIME_SETTING_NAMES.map((name) => `| \`${RUNTIME_SETTINGS[name].variable}\``));
    for (const [index, name] of RUNTIME_SETTING_NAMES.entries()) expect(rows[index]).toMatch(new RegExp(`\\| ${escape(RUNTIME_SETTINGS[name].doc)} \\|$`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
