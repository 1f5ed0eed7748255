import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveOptions } from '@hecate-om/unplugin';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_PORT as CONTRACT_HEALTH_PORT } from '@hecate-om/contract';
import { DEFAULT_HEALTH_PORT, DEFAULT_ORG, DEFAULT_REGISTRY } from '../src/commands/scaffold.js';
import { checkScaffoldInput } from '../src/scaffold/scaffold-input.js';
import { hecateOmVersion, templateValuesOf } from '../src/scaffold/scaffold-service.js';
import {
  PLACEHOLDER_PATTERN,
  TEMPLATES_DIR,
  generatedPathOf,
  listTemplateFiles,
  renderTemplate,
  renderTemplates,
} from '../src/scaffold/templates.js';
import { SCAFFOLDED_FILES } from './helpers/scaffolded-repository.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const readJson = async (path: string): Promise<Record<string, Record<string, string>>> =>
  JSON.parse(await readFile(join(repoRoot, path), 'utf8')) as Record<string, Record<string, string>>;

const hostileDescription = 'Bills "usage" \\ over the <b>mesh</b> *now* | `fast` # [x](y) it\'s';

function inputFor(description: string) {
  const result = checkScaffoldInput({ name: 'hecate-billing', description, org: 'acme', registry: 'registry.example.com:5000', healthPort: 9100 });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

async function rendered(description = 'Bills usage over the mesh'): Promise<Map<string, string>> {
  const files = await renderTemplates(templateValuesOf(inputFor(description)));
  return new Map(files.map((file) => [file.path, file.content]));
}

describe('the service templates', () => {
  it('generate exactly the files of a complete service repository, each template used once', async () => {
    expect([...(await rendered()).keys()]).toEqual(SCAFFOLDED_FILES);
    expect((await listTemplateFiles()).map((file) => file.templatePath)).toContain('_github/workflows/ci.yml');
  });

  it('use only placeholders that have a value, and every value is used', async () => {
    const values = templateValuesOf(inputFor('Bills usage over the mesh'));
    const known = new Set([...Object.keys(values.tokens), ...Object.keys(values.freeText)]);
    const used = new Set<string>();
    for (const { templatePath } of await listTemplateFiles())
      for (const [, key] of (await readFile(join(TEMPLATES_DIR, templatePath), 'utf8')).matchAll(PLACEHOLDER_PATTERN)) used.add(key!);
    expect([...used].sort()).toEqual([...known].sort());
  });

  it('leave no placeholder, TODO or stub in what they generate', async () => {
    for (const [path, content] of await rendered()) {
      expect(content, path).not.toMatch(PLACEHOLDER_PATTERN);
      expect(content, path).not.toMatch(/\bTODO\b|FIXME|XXX|\bstub|not implemented|lorem/i);
    }
  });

  it('write a hostile description as data: JSON keeps it exactly, Markdown shows it as text', async () => {
    const files = await rendered(hostileDescription);
    expect((JSON.parse(files.get('package.json')!) as { description: string }).description).toBe(hostileDescription);
    expect(files.get('README.md')).toContain(
      'Bills "usage" \\\\ over the \\<b\\>mesh\\</b\\> \\*now\\* \\| \\`fast\\` \\# \\[x\\](y) it\'s',
    );
  });

  it.each(['~~~', '```', '~~~ Bills usage', '  ```sh'])('keep a description of %j from opening a code fence in the README', async (description) => {
    // A fence opens on a line starting (after at most three spaces) with three backticks or tildes.
    const fenceLines = (markdown: string) => markdown.split('\n').filter((line) => /^ {0,3}(`{3,}|~{3,})/.test(line));
    expect(fenceLines((await rendered(description)).get('README.md')!)).toEqual(fenceLines((await rendered()).get('README.md')!));
  });

  it('pin the versions this repository builds and tests with', async () => {
    const packageJson = JSON.parse((await rendered()).get('package.json')!) as Record<string, Record<string, string>>;
    const root = await readJson('package.json');
    const unplugin = await readJson('packages/unplugin/package.json');
    expect(packageJson.devDependencies).toEqual({
      '@hecate-om/unplugin': `^${hecateOmVersion()}`,
      '@types/node': root.devDependencies!['@types/node'],
      esbuild: unplugin.devDependencies!.esbuild,
      typescript: root.devDependencies!.typescript,
      vitest: root.devDependencies!.vitest,
    });
    expect(packageJson.dependencies).toEqual({ '@hecate-om/contract': `^${hecateOmVersion()}`, '@hecate-om/runtime': `^${hecateOmVersion()}` });
    expect((await rendered()).get('.github/workflows/ci.yml')).toContain(`- run: npm install --global pnpm@${root.devDependencies!.pnpm}\n`);
    for (const name of ['contract', 'runtime', 'unplugin'])
      expect((await readJson(`packages/${name}/package.json`)).version, name).toBe(hecateOmVersion());
  });

  it("ship the repository's Apache-2.0 LICENSE unchanged", async () => {
    expect((await rendered()).get('LICENSE')).toBe(await readFile(join(repoRoot, 'LICENSE'), 'utf8'));
  });

  it("default to the build plugin's own registry and org, and the contract's health port", () => {
    const resolved = resolveOptions(undefined, repoRoot, {});
    expect({ registry: DEFAULT_REGISTRY, org: DEFAULT_ORG }).toEqual({ registry: resolved.registry, org: resolved.org });
    expect(DEFAULT_HEALTH_PORT).toBe(CONTRACT_HEALTH_PORT);
  });
});

describe('renderTemplate', () => {
  const values = { tokens: { name: 'hecate-billing' }, freeText: { description: 'x' } };

  it('maps a leading underscore of a path segment to a dot', () => {
    expect(generatedPathOf('_github/workflows/ci.yml')).toBe('.github/workflows/ci.yml');
    expect(generatedPathOf('src/service.ts')).toBe('src/service.ts');
  });

  it('leaves GitHub expressions alone', () => {
    expect(renderTemplate('ci.yml', 'run: ${{ secrets.TOKEN }} {{name}}', values)).toBe('run: ${{ secrets.TOKEN }} hecate-billing');
  });

  it('throws on a placeholder without a value and on free text in a file type without an escape', () => {
    expect(() => renderTemplate('a.md', '{{nope}}', values)).toThrow('a.md uses the unknown placeholder {{nope}}');
    expect(() => renderTemplate('ci.yml', '{{description}}', values)).toThrow('ci.yml uses the free text {{description}}, and its file type has no escape');
  });
});
