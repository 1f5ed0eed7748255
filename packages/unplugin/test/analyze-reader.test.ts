import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { AnalysisResult } from '../src/core/analyze-service.js';
import { LIMITS } from '../src/core/extract/limits.js';
import { analyzeProject, contractModule, type ProjectFiles, removeServiceProject, writeServiceProject } from './service-project.js';

/** The inputs of issue 9, each a small service project. */
describe('the contract reader', () => {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.map(removeServiceProject));
    roots.length = 0;
  });
  const analyze = async (files: ProjectFiles, service?: string): Promise<{ root: string; result: AnalysisResult }> => {
    const root = await writeServiceProject(files);
    roots.push(root);
    return { root, result: await analyzeProject(root, service) };
  };
  const manifestOf = (result: AnalysisResult) => {
    if (!result.ok) throw new Error(result.diagnostics.map((diagnostic) => diagnostic.message).join('\n'));
    return result.manifest;
  };
  const diagnosticsOf = (result: AnalysisResult) => {
    if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.manifest)}`);
    return result.diagnostics;
  };

  describe('reads the value JavaScript gives', () => {
    it('takes the last of two info() methods, as JavaScript does', async () => {
      const { result } = await analyze({
        'src/service.ts': contractModule({
          extraMembers: "  info() { return { name: 'hecate-echo', version: '0.1.0', description: 'The last one' }; }",
        }),
      });
      expect(manifestOf(result).description).toBe('The last one');
    });

    it('takes an instance field over a method, wherever each is declared, as JavaScript does', async () => {
      const { result } = await analyze({
        'src/service.ts': contractModule({
          info: "{ name: 'hecate-echo', version: '0.1.0', description: 'The method' }",
          extraMembers: "  info = () => ({ name: 'hecate-echo', version: '0.1.0', description: 'The field' });",
        }),
      });
      expect(manifestOf(result).description).toBe('The field');
    });

    it("reads desc.js, the file the bundler resolves, when both desc.ts and desc.js exist", async () => {
      const { result } = await analyze({
        'src/service.ts': contractModule({
          preamble: "import { DESCRIPTION } from './desc.js';",
          info: "{ name: 'hecate-echo', version: '0.1.0', description: DESCRIPTION }",
        }),
        'src/desc.ts': "export const DESCRIPTION = 'From desc.ts';\n",
        'src/desc.js': "export const DESCRIPTION = 'From desc.js';\n",
      });
      expect(manifestOf(result).description).toBe('From desc.js');
    });

    it('reads desc.ts for ./desc.js when desc.js does not exist, as esbuild does', async () => {
      const { result } = await analyze({
        'src/service.ts': contractModule({
          preamble: "import { DESCRIPTION } from './desc.js';",
          info: "{ name: 'hecate-echo', version: '0.1.0', description: DESCRIPTION }",
        }),
        'src/desc.ts': "export const DESCRIPTION = 'From desc.ts';\n",
      });
      expect(manifestOf(result).description).toBe('From desc.ts');
    });

    it('refuses an extensionless import that names both a .ts and a .js file: bundlers differ', async () => {
      const { result } = await analyze({
        'src/service.ts': contractModule({
          preamble: "import { DESCRIPTION } from './desc';",
          info: "{ name: 'hecate-echo', version: '0.1.0', description: DESCRIPTION }",
        }),
        'src/desc.ts': "export const DESCRIPTION = 'a';\n",
        'src/desc.js': "export const DESCRIPTION = 'b';\n",
      });
      expect(diagnosticsOf(result)).toEqual([
        expect.objectContaining({
          code: 'unresolved-import',
          message: expect.stringContaining(
            "info().description is DESCRIPTION, imported from './desc', but src/desc.ts and src/desc.js all exist, and bundlers differ in which an import without an extension names: write the extension",
          ),
        }),
      ]);
    });

    it('refuses a Latin-1 service module with an error at the first byte that is not UTF-8', async () => {
      const source = Buffer.from(contractModule({ info: "{ name: 'hecate-echo', version: '0.1.0', description: 'café crème' }" }), 'latin1');
      const { root, result } = await analyze({ 'src/service.ts': source });
      const line = contractModule().split('\n').findIndex((text) => text.includes('  info()')) + 1;
      const column = "  info() { return { name: 'hecate-echo', version: '0.1.0', description: 'caf".length;
      expect(diagnosticsOf(result)).toEqual([
        expect.objectContaining({
          code: 'unreadable-source',
          message: `the service module src/service.ts is not UTF-8 (byte 0xE9 at src/service.ts:${line}:${column + 1})`,
          hint: 'bundlers read sources as UTF-8, so save it as UTF-8',
          file: join(root, 'src/service.ts'),
          line,
          column,
        }),
      ]);
    });

    it('refuses a Latin-1 module a value is imported from, located in that module', async () => {
      const { root, result } = await analyze({
        'src/service.ts': contractModule({
          preamble: "import { DESCRIPTION } from './desc.ts';",
          info: "{ name: 'hecate-echo', version: '0.1.0', description: DESCRIPTION }",
        }),
        'src/desc.ts': Buffer.from("// notes\nexport const DESCRIPTION = 'café crème';\n", 'latin1'),
      });
      expect(diagnosticsOf(result)).toEqual([
        expect.objectContaining({
          code: 'unreadable-source',
          message: "info().description is DESCRIPTION, imported from './desc.ts', but src/desc.ts is not UTF-8 (byte 0xE9) (src/desc.ts:2:32)",
          hint: "bundlers read sources as UTF-8, so save it as UTF-8",
          file: join(root, 'src/desc.ts'),
          line: 2,
          column: 31,
        }),
      ]);
    });
  });

  describe('reads what service authors write', () => {
    const withAlias = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['./src/*'] } } }),
    };

    it('follows a tsconfig paths alias to a project source', async () => {
      const { result } = await analyze({
        ...withAlias,
        'src/service.ts': contractModule({
          preamble: "import { SCOPE } from '@/names';",
          identitySpec: "{ scope: SCOPE, actions: ['answer_query'], resources: [`${SCOPE}/*`], ttlDays: 30 }",
        }),
        'src/names.ts': "export const SCOPE = 'echo';\n",
      });
      expect(manifestOf(result).identity).toMatchObject({ scope: 'echo', resources: ['echo/*'] });
    });

    it('finds the members of a base class imported through a paths alias (baseUrl and extends)', async () => {
      const { result } = await analyze({
        'tsconfig.base.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '~lib/*': ['src/lib/*'] } } }),
        'tsconfig.json': JSON.stringify({ extends: './tsconfig.base.json' }),
        'src/service.ts': [
          "import { Base } from '~lib/base';",
          'export default class EchoService extends Base {',
          "  info() { return { name: 'hecate-echo', version: '0.1.0', description: 'Echoes' }; }",
          "  capabilities() { return [{ name: 'echo.say', version: 1 }]; }",
          "  identitySpec() { return { scope: 'echo', actions: [], resources: [], ttlDays: 30 }; }",
          '}',
        ].join('\n'),
        'src/lib/base.ts': "import { HecateService } from '@hecate-om/contract';\nexport abstract class Base extends HecateService {\n  start() {}\n  stop() {}\n  health() { return 'ok' as const; }\n}\n",
      });
      expect(manifestOf(result).description).toBe('Echoes');
    });

    it('refuses a third-party package with the reason', async () => {
      const { result } = await analyze({
        'src/service.ts': contractModule({ preamble: "import { SCOPE } from 'echo-names';", identitySpec: "{ scope: SCOPE, actions: [], resources: [], ttlDays: 30 }" }),
      });
      expect(diagnosticsOf(result)).toEqual([
        expect.objectContaining({
          code: 'not-static',
          message: "identitySpec().scope is SCOPE, imported from the package 'echo-names' (src/service.ts:9:36)",
          hint: expect.stringContaining("not third-party packages: a package's values are not the service's contract"),
        }),
      ]);
    });

    it('reads string, numeric and const enum members and templates of static values', async () => {
      const { result } = await analyze({
        'src/service.ts': contractModule({
          preamble: [
            "enum Caps { Say = 'echo.say', Shout = 'echo.shout' }",
            'const enum Version { First = 1, Second }',
            "export enum Actions { Read = 'read' }",
            "const PREFIX = 'echo';",
          ].join('\n'),
          capabilities: '[{ name: Caps.Say, version: Version.First }, { name: `${PREFIX}.query`, version: Version.Second }, { name: Caps[\'Shout\'], version: 3 }]',
          identitySpec: '{ scope: PREFIX, actions: [Actions.Read], resources: [`${PREFIX}/${"inbox"}/*`], ttlDays: 30 }',
        }),
      });
      const manifest = manifestOf(result);
      expect(manifest.capabilities).toEqual([
        { name: 'echo.say', version: 1 },
        { name: 'echo.query', version: 2 },
        { name: 'echo.shout', version: 3 },
      ]);
      expect(manifest.identity).toMatchObject({ actions: ['read'], resources: ['echo/inbox/*'] });
    });

    it('names export = as such instead of "no default export"', async () => {
      const { root, result } = await analyze({
        'src/service.ts': "class EchoService {}\nexport = EchoService;\n",
      });
      expect(diagnosticsOf(result)).toEqual([
        expect.objectContaining({
          code: 'no-default-export',
          message: "src/service.ts uses export =, which is CommonJS's module.exports, not a default export",
          hint: "the contract is the class the module exports by default, as in export default class MyService extends HecateService { ... }",
          file: join(root, 'src/service.ts'),
          line: 2,
          column: 0,
        }),
      ]);
    });

    it('hints the path to package.json from where info() is written', async () => {
      const { result } = await analyze(
        { 'src/contract/v1/service.ts': contractModule({ info: "{ name: 'hecate-echo', version: '9.9.9', description: 'Echoes' }" }) },
        'src/contract/v1/service.ts',
      );
      expect(diagnosticsOf(result)).toEqual([
        expect.objectContaining({ code: 'version-mismatch', hint: expect.stringContaining("import pkg from '../../../package.json' with { type: 'json' }") }),
      ]);
    });
  });

  describe('never prints a credential', () => {
    const token = 'ghp_s3cr3tT0ken';

    it("masks the token of package.json's repository in the message and the line a diagnostic shows", async () => {
      const packageJson = { name: 'hecate-echo', version: '0.1.0', type: 'module', license: 'Apache-2.0', repository: `git+https://${token}@github.com/acme/hecate echo.git` };
      const { root, result } = await analyze({ 'package.json': `${JSON.stringify(packageJson, null, 2)}\n`, 'src/service.ts': contractModule() });
      expect(diagnosticsOf(result)).toEqual([
        expect.objectContaining({
          code: 'deployment-violation',
          message: 'the manifest\'s source "https://github.com/acme/hecate echo" (from package.json\'s repository) must be an https URL without spaces or quotes',
          file: join(root, 'package.json'),
          line: 6,
          lineText: `  "repository": "git+https://${'*'.repeat(token.length)}@github.com/acme/hecate echo.git"`,
        }),
      ]);
      expect(JSON.stringify(result)).not.toContain(token);
    });

    it('keeps the caret under the value when a masked token stands before it on the line', async () => {
      const packageJson = `{"name":"hecate-echo","version":"0.1.0","type":"module","repository":"https://x-access-token:${token}@github.com/acme/hecate-echo.git","license":"Apache-2.0 <script>"}\n`;
      const { result } = await analyze({ 'package.json': packageJson, 'src/service.ts': contractModule() });
      const [diagnostic] = diagnosticsOf(result);
      expect(diagnostic).toMatchObject({ code: 'deployment-violation', line: 1, column: packageJson.indexOf('"Apache-2.0 <script>"') });
      expect(diagnostic!.lineText).not.toContain(token);
      expect(diagnostic!.lineText.slice(diagnostic!.byteColumn)).toBe('"Apache-2.0 <script>"}');
    });
  });

  describe('bounded on any input', () => {
    it('reads consts defined twice in terms of the previous one (20 levels) once each, and refuses the result past the limit', async () => {
      const consts = ["const O0 = 'echo';", ...Array.from({ length: 20 }, (_, level) => `const O${level + 1} = { a: O${level}, b: O${level} };`)];
      const { root, result } = await analyze({
        'src/service.ts': contractModule({ preamble: consts.join('\n'), info: "{ name: 'hecate-echo', version: '0.1.0', description: 'x', extra: O20 }" }),
      });
      const [diagnostic] = diagnosticsOf(result);
      expect(diagnostic).toMatchObject({ code: 'over-limit', file: join(root, 'src/service.ts') });
      expect(diagnostic?.message).toContain(`more than ${LIMITS.values} parts when written out`);
    });

    it('refuses the spread form [...L, ...L] at 18 levels with a located diagnostic, not a stack overflow', async () => {
      const consts = ["const L0 = ['a'];", ...Array.from({ length: 18 }, (_, level) => `const L${level + 1} = [...L${level}, ...L${level}];`)];
      const { root, result } = await analyze({
        'src/service.ts': contractModule({ preamble: consts.join('\n'), identitySpec: "{ scope: 'echo', actions: L18, resources: [], ttlDays: 30 }" }),
      });
      expect(diagnosticsOf(result)).toEqual([expect.objectContaining({ code: 'over-limit', file: join(root, 'src/service.ts') })]);
    });

    it('refuses 20,000 capabilities with one diagnostic', async () => {
      const capabilities = Array.from({ length: 20_000 }, (_, index) => `  { name: 'echo.c${index}', version: 1 },`).join('\n');
      const { result } = await analyze({ 'src/service.ts': contractModule({ capabilities: `[\n${capabilities}\n]` }) });
      expect(diagnosticsOf(result)).toEqual([expect.objectContaining({ code: 'over-limit' })]);
    });

    it('reports 10,000 invalid capabilities on one 590 KB line with few diagnostics, each carrying a short line', async () => {
      const capabilities = Array.from({ length: 10_000 }, (_, index) => `{ name: 'Bad${index}', version: 0 }`).join(', ');
      const { result } = await analyze({ 'src/service.ts': contractModule({ capabilities: `[${capabilities}]` }) });
      const diagnostics = diagnosticsOf(result);
      expect(diagnostics.length).toBeLessThanOrEqual(LIMITS.diagnostics + 1);
      for (const diagnostic of diagnostics) expect(diagnostic.lineText.length).toBeLessThanOrEqual(LIMITS.lineTextLength + 1);
    });

    it('refuses an array literal nested 800 levels deep at a location in the service module', async () => {
      const { root, result } = await analyze({
        'src/service.ts': contractModule({ identitySpec: `{ scope: 'echo', actions: ${'['.repeat(800)}${']'.repeat(800)}, resources: [], ttlDays: 30 }` }),
      });
      expect(diagnosticsOf(result)).toEqual([expect.objectContaining({ code: 'over-limit', file: join(root, 'src/service.ts') })]);
    });

    it('refuses 2,000 actions × 2,000 resources by the contract rules instead of writing a 162 MB UCAN request', async () => {
      const list = (prefix: string) => `[${Array.from({ length: 2000 }, (_, index) => `'${prefix}${index}'`).join(', ')}]`;
      const { result } = await analyze({
        'src/service.ts': contractModule({ identitySpec: `{ scope: 'echo', actions: ${list('a')}, resources: ${list('echo/r')}, ttlDays: 30 }` }),
      });
      expect(diagnosticsOf(result).map(({ code, message }) => ({ code, message }))).toEqual([
        { code: 'rule-violation', message: 'identitySpec().actions must hold at most 64 actions' },
        { code: 'rule-violation', message: 'identitySpec().resources must hold at most 64 resources' },
      ]);
    });
  });
});
