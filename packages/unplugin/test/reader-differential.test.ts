import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { contractValuesOf } from '@hecate-om/contract';
import { analyzeProject, removeServiceProject, writeServiceProject } from './service-project.js';

/**
 * Issue 9 (a), as a property: for contract modules generated from every form the reader accepts,
 * the manifest the build derives holds exactly what the compiled module returns when it runs.
 * Each case is written to disk, analysed, bundled with esbuild and imported.
 */

/** A JavaScript expression and the modules it needs, with the value JavaScript gives it. */
interface Source {
  readonly code: string;
  /** Top-level declarations of the service module. */
  readonly declarations: readonly string[];
  /** Other modules of the project: path → text. */
  readonly modules: Readonly<Record<string, string>>;
}

const plain = (code: string): Source => ({ code, declarations: [], modules: {} });
let counter = 0;
const fresh = (prefix: string): string => `${prefix}${(counter += 1)}`;

// ---- strings, in every notation a literal allows ----

const hex = (code: number, width: number): string => code.toString(16).padStart(width, '0');

/** One character, written in one of the forms a quoted literal allows. */
function characterForms(character: string, quote: string): fc.Arbitrary<string> {
  const code = character.codePointAt(0) ?? 0;
  const forms = [`\\u{${hex(code, 1)}}`];
  if (code <= 0xffff) forms.push(`\\u${hex(code, 4)}`);
  // A character past U+FFFF as its UTF-16 surrogate pair, each half escaped.
  else forms.push(`\\u${hex(character.charCodeAt(0), 4)}\\u${hex(character.charCodeAt(1), 4)}`);
  if (code <= 0xff) forms.push(`\\x${hex(code, 2)}`);
  if (character === '\\' || character === quote) forms.push(`\\${character}`);
  else if (!(quote === '`' && character === '$')) forms.push(character);
  if (quote === '`' && character === '$') forms.push('\\$');
  // An escape that stands for the character itself, and a line continuation, which stands for nothing.
  if (!/[0-9bfnrtvux\r\n\u2028\u2029]/.test(character)) forms.push(`\\${character}`);
  forms.push(...forms.map((form) => `\\\n${form}`));
  return fc.constantFrom(...forms);
}

function quoted(value: string, quote: string): fc.Arbitrary<string> {
  const characters = [...value];
  return fc.tuple(...characters.map((character) => characterForms(character, quote))).map((forms) => `${quote}${forms.join('')}${quote}`);
}

/** A string value as a literal, a template (with static substitutions), a const, an enum member or an import. */
function stringSource(value: string): fc.Arbitrary<Source> {
  const literal = fc.oneof(quoted(value, "'"), quoted(value, '"'), quoted(value, '`'));
  const characters = [...value]; // cut between characters, never inside a surrogate pair
  const template = fc.integer({ min: 0, max: characters.length }).chain((cut) =>
    fc
      .tuple(quoted(characters.slice(0, cut).join(''), "'"), quoted(characters.slice(cut).join(''), "'"))
      .map(([head, tail]) => `\`\${${head}}\${${tail}}\``),
  );
  const expression = fc.oneof(literal.map(plain), template.map(plain));
  return expression.chain((inner) => wrapped(inner, 'string'));
}

// ---- numbers, in every notation a numeric literal allows ----

function integerSource(value: number): fc.Arbitrary<Source> {
  const withSeparators = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, '_');
  const notations = [
    String(value),
    withSeparators(String(value)),
    `0x${value.toString(16)}`,
    `0X${value.toString(16).toUpperCase()}`,
    `0o${value.toString(8)}`,
    `0b${value.toString(2)}`,
    `${value}.0`,
    `${value}e0`,
    `${value * 10}e-1`,
    `+${value}`,
    `-(-${value})`,
    `(${value})`,
  ];
  return fc.constantFrom(...notations).chain((code) => wrapped(plain(code), 'number'));
}

/** The same value behind a type-only wrapper, a const, an enum member, or an export of another module. */
function wrapped(inner: Source, kind: 'string' | 'number' | 'other'): fc.Arbitrary<Source> {
  const forms: fc.Arbitrary<Source>[] = [
    fc.constant(inner),
    fc.constant({ ...inner, code: `(${inner.code} as const)` }),
    fc.constant({ ...inner, code: `(${inner.code} satisfies unknown)` }),
    fc.constant({ ...inner, code: `(${inner.code})` }),
    fc.constant(inner).map((source) => {
      const name = fresh('VALUE_');
      return { ...source, code: name, declarations: [...source.declarations, `const ${name} = ${source.code};`] };
    }),
    fc.constantFrom('export const', 'export default').map((form) => {
      const name = fresh('shared_');
      const module = `src/${name}.ts`;
      const text = [...inner.declarations, form === 'export default' ? `export default ${inner.code};` : `export const VALUE = ${inner.code};`, ''].join('\n');
      const imported = form === 'export default' ? `import ${name} from './${name}.js';` : `import { VALUE as ${name} } from './${name}.js';`;
      return { code: name, declarations: [imported], modules: { ...inner.modules, [module]: text } };
    }),
    fc.constant(inner).map((source) => {
      const name = fresh('ns_');
      const module = `src/${name}.ts`;
      return {
        code: `${name}.VALUE`,
        declarations: [`import * as ${name} from './${name}';`],
        modules: { ...source.modules, [module]: [...source.declarations, `export const VALUE = ${source.code};`, ''].join('\n') },
      };
    }),
    fc.constantFrom('star', 'named').map((form) => {
      const name = fresh('re_');
      const origin = `src/${name}_origin.ts`;
      const barrel = `src/${name}.ts`;
      return {
        code: name,
        declarations: [`import { VALUE as ${name} } from './${name}.js';`],
        modules: {
          ...inner.modules,
          [origin]: [...inner.declarations, `export const VALUE = ${inner.code};`, ''].join('\n'),
          [barrel]: form === 'star' ? `export * from './${name}_origin.js';\n` : `export { VALUE } from './${name}_origin.js';\n`,
        },
      };
    }),
  ];
  if ((kind === 'string' || kind === 'number') && inner.declarations.length === 0 && !inner.code.startsWith('`') && !inner.code.includes('('))
    forms.push(
      fc.constant(inner).map((source) => {
        const name = fresh('Enum');
        return { ...source, code: `${name}.Member`, declarations: [`enum ${name} { Other = ${kind === 'string' ? "'other'" : '0'}, Member = ${source.code} }`] };
      }),
    );
  return fc.oneof(...forms);
}

// ---- arrays and objects, with spreads ----

function arraySource(items: readonly Source[]): fc.Arbitrary<Source> {
  const merge = (code: string, sources: readonly Source[]): Source => ({
    code,
    declarations: sources.flatMap((source) => source.declarations),
    modules: Object.assign({}, ...sources.map((source) => source.modules)) as Record<string, string>,
  });
  const direct = fc.constant(merge(`[${items.map((item) => item.code).join(', ')}]`, items));
  const spread = fc.integer({ min: 0, max: items.length }).map((cut) => {
    const name = fresh('LIST_');
    const head = merge(`[${items.slice(0, cut).map((item) => item.code).join(', ')}]`, items.slice(0, cut));
    const rest = items.slice(cut);
    return {
      ...merge(`[...${name}, ${rest.map((item) => item.code).join(', ')}]`, rest),
      declarations: [...head.declarations, ...rest.flatMap((item) => item.declarations), `const ${name} = ${head.code};`],
      modules: { ...head.modules, ...merge('', rest).modules },
    };
  });
  return fc.oneof(direct, spread).chain((source) => wrapped(source, 'other'));
}

function objectSource(entries: readonly (readonly [string, Source])[]): fc.Arbitrary<Source> {
  // The key as written plainly, quoted, or as an identifier with its first letter escaped.
  const keyForms = (key: string): fc.Arbitrary<string> => fc.constantFrom(key, `'${key}'`, `"${key}"`, `\\u${hex(key.charCodeAt(0), 4)}${key.slice(1)}`, `\\u{${hex(key.charCodeAt(0), 1)}}${key.slice(1)}`);
  return fc.tuple(...entries.map(([key]) => keyForms(key))).chain((keys) => {
    const body = entries.map(([, source], index) => `${keys[index]}: ${source.code}`);
    const declarations = entries.flatMap(([, source]) => source.declarations);
    const modules = Object.assign({}, ...entries.map(([, source]) => source.modules)) as Record<string, string>;
    const direct = fc.constant({ code: `{ ${body.join(', ')} }`, declarations, modules });
    // A spread of an object with a key set again after it: the later value wins, as in JavaScript.
    const overridden = fc.constant(null).map(() => {
      const name = fresh('BASE_');
      const [first] = entries;
      if (first === undefined) return { code: '{}', declarations, modules };
      return {
        code: `{ ...${name}, ${body.join(', ')} }`,
        declarations: [...declarations, `const ${name} = { ${first[0]}: 'overridden' };`],
        modules,
      };
    });
    return fc.oneof(direct, overridden).chain((source) => wrapped(source, 'other'));
  });
}

// ---- the values, valid by the contract's rules ----

const lowerWord = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const descriptionText = fc
  .array(fc.constantFrom('a', 'Z', ' ', 'é', 'ü', '🚀', '"', "'", '\\', '`', '$', '{', '}', '€', '中', '\u00A0', '\u200B'), { minLength: 1, maxLength: 24 })
  .map((characters) => `x${characters.join('')}`);

interface ContractCase {
  readonly info: { name: string; version: string; description: string };
  readonly capabilities: { name: string; version: number }[];
  readonly identitySpec: { scope: string; actions: string[]; resources: string[]; ttlDays: number };
}

const contractValues: fc.Arbitrary<ContractCase> = fc.record({
  info: fc.record({
    name: fc.constantFrom('hecate-echo'),
    version: fc.constantFrom('0.1.0'),
    description: descriptionText,
  }),
  capabilities: fc.uniqueArray(
    fc.record({ name: fc.tuple(lowerWord, lowerWord).map(([a, b]) => `${a}-x.${b}`), version: fc.integer({ min: 1, max: 100_000 }) }),
    { maxLength: 4, selector: (capability) => `${capability.name}@${capability.version}` },
  ),
  identitySpec: fc.record({
    scope: lowerWord,
    actions: fc.uniqueArray(lowerWord, { maxLength: 3 }),
    resources: fc.uniqueArray(lowerWord.map((word) => `${word}/*`), { maxLength: 3 }),
    ttlDays: fc.integer({ min: 1, max: 365 }),
  }),
});

function sourcesOf(values: ContractCase): fc.Arbitrary<{ info: Source; capabilities: Source; identitySpec: Source }> {
  const info = fc
    .tuple(stringSource(values.info.name), stringSource(values.info.version), stringSource(values.info.description))
    .chain(([name, version, description]) => objectSource([['name', name], ['version', version], ['description', description]]));
  const capabilities = fc
    .tuple(
      ...values.capabilities.map((capability) =>
        fc.tuple(stringSource(capability.name), integerSource(capability.version)).chain(([name, version]) => objectSource([['name', name], ['version', version]])),
      ),
    )
    .chain((items) => arraySource(items));
  const identitySpec = fc
    .tuple(
      stringSource(values.identitySpec.scope),
      fc.tuple(...values.identitySpec.actions.map(stringSource)).chain(arraySource),
      fc.tuple(...values.identitySpec.resources.map(stringSource)).chain(arraySource),
      integerSource(values.identitySpec.ttlDays),
    )
    .chain(([scope, actions, resources, ttlDays]) =>
      objectSource([['scope', scope], ['actions', actions], ['resources', resources], ['ttlDays', ttlDays]]),
    );
  return fc.record({ info, capabilities, identitySpec });
}

/** How the three members are declared: methods, arrow properties, a duplicate that JavaScript replaces, or a base class. */
const arrangement = fc.constantFrom('methods', 'arrows', 'duplicate', 'base-class', 'expression-bodies');

function serviceModule(sources: { info: Source; capabilities: Source; identitySpec: Source }, layout: string): { service: string; modules: Record<string, string> } {
  const members = (['info', 'capabilities', 'identitySpec'] as const).map((name) => {
    const code = sources[name].code;
    if (layout === 'arrows') return `  ${name} = () => (${code});`;
    if (layout === 'expression-bodies') return `  ${name}() {\n    return ${code};\n  }`;
    return `  ${name}() { return ${code}; }`;
  });
  const declarations = [...new Set(Object.values(sources).flatMap((source) => source.declarations))];
  const modules = Object.assign({}, ...Object.values(sources).map((source) => source.modules)) as Record<string, string>;
  const lifecycle = ['  start() {}', '  stop() {}', "  health() { return 'ok' as const; }"];
  if (layout === 'base-class') {
    modules['src/base.ts'] = ["import { HecateService } from '@hecate-om/contract';", 'export abstract class Base extends HecateService {', ...lifecycle, '}', ''].join('\n');
    return { service: ["import { Base } from './base.js';", ...declarations, 'export default class EchoService extends Base {', ...members, '}', ''].join('\n'), modules };
  }
  const replaced = layout === 'duplicate' ? ["  info() { return { name: 'replaced', version: 'replaced', description: 'replaced' }; }"] : [];
  return {
    service: ["import { HecateService } from '@hecate-om/contract';", ...declarations, 'export default class EchoService extends HecateService {', ...lifecycle, ...replaced, ...members, '}', ''].join('\n'),
    modules,
  };
}

describe('the contract reader, differentially against the compiled module', () => {
  const roots: string[] = [];
  afterAll(() => Promise.all(roots.map(removeServiceProject)));

  it('derives exactly what the compiled module returns when run', { timeout: 300_000 }, async () => {
    const cases = contractValues.chain((values) => fc.tuple(fc.constant(values), sourcesOf(values), arrangement));
    await fc.assert(
      fc.asyncProperty(cases, async ([values, sources, layout]) => {
        const { service, modules } = serviceModule(sources, layout);
        const root = await writeServiceProject({ 'src/service.ts': service, ...modules });
        roots.push(root);
        await symlink(join(import.meta.dirname, '..', 'node_modules'), join(root, 'node_modules'), 'dir');
        const result = await analyzeProject(root);
        const outfile = join(root, 'out', 'service.mjs');
        await build({ entryPoints: [join(root, 'src/service.ts')], bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'silent' });
        const { default: Service } = (await import(pathToFileURL(outfile).href)) as { default: new () => Record<string, () => unknown> };
        const running = new Service();
        const ran = JSON.parse(JSON.stringify({ info: running.info!(), capabilities: running.capabilities!(), identitySpec: running.identitySpec!() })) as unknown;
        expect(ran).toEqual(values);
        if (!result.ok) throw new Error(`refused ${service}\n${result.diagnostics.map((diagnostic) => diagnostic.message).join('\n')}`);
        expect(contractValuesOf(result.manifest)).toEqual(ran);
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });
});
