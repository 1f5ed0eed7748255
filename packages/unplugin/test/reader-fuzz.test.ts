import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../src/core/extract/limits.js';
import { analyzeProject, contractModule, removeServiceProject, writeServiceProject } from './service-project.js';

/**
 * Issue 9 (c), kept so: whatever a contract module holds, the reader returns (no exception, no
 * stack overflow), and every diagnostic is located in a file of the project, carries a bounded
 * line, and there are at most LIMITS.diagnostics + 1 of them.
 */

/** Expressions built to stress the reader: deep nesting, doubling consts, long lines, garbage. */
const leaf = fc.oneof(
  fc.constantFrom("'echo'", '1', 'null', 'true', 'undefined', 'process.env.X', 'call()', '`${B}`', '[,]', '{ [k]: 1 }', '-"x"', '0x1F', '1_000', 'B', 'B.a'),
  fc.string({ maxLength: 12 }).map((text) => JSON.stringify(text)),
  fc.string({ maxLength: 6 }), // garbage, often a syntax error
);

const expression: fc.Arbitrary<string> = fc.letrec<{ expression: string }>((tie) => ({
  expression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('expression'), { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
    fc.array(fc.tuple(fc.constantFrom('a', 'b', 'name', '"q"', '1'), tie('expression')), { maxLength: 4 }).map(
      (entries) => `{ ${entries.map(([key, value]) => `${key}: ${value}`).join(', ')} }`,
    ),
    tie('expression').map((inner) => `[...${inner}]`),
    tie('expression').map((inner) => `{ ...${inner} }`),
    tie('expression').map((inner) => `(${inner} as const)`),
  ),
})).expression;

/** Preambles that make the reader do much from little: consts doubling, deep brackets, a huge line. */
const preamble = fc.oneof(
  fc.constant('const B = 1;'),
  fc.integer({ min: 1, max: 40 }).map((levels) =>
    ["const A = ['x'];", ...Array.from({ length: levels }, (_, level) => `const A${level + 1} = [...${level === 0 ? 'A' : `A${level}`}, ...${level === 0 ? 'A' : `A${level}`}];`), `const B = A${levels};`].join('\n'),
  ),
  fc.integer({ min: 1, max: 40 }).map((levels) =>
    ["const A = 'x';", ...Array.from({ length: levels }, (_, level) => `const A${level + 1} = { a: ${level === 0 ? 'A' : `A${level}`}, b: ${level === 0 ? 'A' : `A${level}`} };`), `const B = A${levels};`].join('\n'),
  ),
  fc.integer({ min: 50, max: 2000 }).map((depth) => `const B = ${'['.repeat(depth)}${']'.repeat(depth)};`),
  fc.integer({ min: 1000, max: 30_000 }).map((count) => `const B = [${Array.from({ length: count }, (_, index) => `{ name: 'Bad${index}', version: 0 }`).join(', ')}];`),
);

describe('the contract reader, fuzzed', () => {
  const roots: string[] = [];
  afterAll(() => Promise.all(roots.map(removeServiceProject)));

  it('returns a manifest or located, bounded diagnostics for any contract module', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(preamble, expression, fc.constantFrom('info', 'capabilities', 'identitySpec'), async (before, value, member) => {
        const root = await writeServiceProject({
          'src/service.ts': contractModule({ preamble: `${before}\nconst k = 'k';`, [member]: `[${value}, B]` }),
        });
        roots.push(root);
        const result = await analyzeProject(root);
        if (result.ok) return;
        expect(result.diagnostics.length).toBeGreaterThan(0);
        expect(result.diagnostics.length).toBeLessThanOrEqual(LIMITS.diagnostics + 1);
        for (const diagnostic of result.diagnostics) {
          expect(diagnostic.file.startsWith(root)).toBe(true);
          expect(diagnostic.line).toBeGreaterThanOrEqual(1);
          expect(diagnostic.lineText.length).toBeLessThanOrEqual(LIMITS.lineTextLength + 1);
          expect(diagnostic.message.length).toBeLessThan(2000);
        }
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('keeps a service whose lines are all long to short diagnostics', async () => {
    const root = await writeServiceProject({ 'src/service.ts': contractModule({ info: `{ name: 'Bad', version: 'x', description: '${'d'.repeat(5000)}' }` }).replace(/\n/g, ' ') });
    roots.push(root);
    const result = await analyzeProject(root);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics.map(({ file, lineText }) => ({ file, short: lineText.length <= LIMITS.lineTextLength + 1 }))).toContainEqual({
      file: join(root, 'src/service.ts'),
      short: true,
    });
  });
});
