import { describe, expect, it } from 'vitest';
import { analyzeFixture, diagnosticsOf, fixtureFile } from './analyze-fixture.js';

const ALL_MEMBERS = 'start(), stop(), health(), capabilities(), identitySpec() and info()';
const SINGLE_RETURN = 'the build reads its value without running it, so it must be a single return statement such as return { ... }';

describe('analyzeService: the six members', () => {
  it.each([
    ['missing-start', 'start'],
    ['missing-stop', 'stop'],
    ['missing-health', 'health'],
    ['missing-capabilities', 'capabilities'],
    ['missing-identity-spec', 'identitySpec'],
    ['missing-info', 'info'],
  ])('fails with a diagnostic at the class name when %s', async (fixture, member) => {
    expect(await diagnosticsOf(fixture)).toEqual([
      {
        code: 'missing-member',
        message: `EchoService does not implement ${member}()`,
        hint: `a hecate service implements ${ALL_MEMBERS}`,
        file: fixtureFile(fixture, 'src/service.ts'),
        line: 4,
        column: 21,
      },
    ]);
  });

  it('fails with a diagnostic at the member when health is a property holding a string', async () => {
    expect(await diagnosticsOf('health-not-a-method')).toEqual([
      {
        code: 'not-a-method',
        message: "EchoService.health is a property holding 'ok', not a method",
        hint: 'hecate-om calls health(), so declare it as health() { ... } or assign it an arrow function',
        file: fixtureFile('health-not-a-method', 'src/service.ts'),
        line: 11,
        column: 2,
      },
    ]);
  });

  it('fails with a diagnostic at the member when info is a getter', async () => {
    expect(await diagnosticsOf('info-getter')).toEqual([
      {
        code: 'not-a-method',
        message: 'EchoService.info is a getter, not a method',
        hint: 'hecate-om calls info(), so declare it as info() { ... }',
        file: fixtureFile('info-getter', 'src/service.ts'),
        line: 23,
        column: 6,
      },
    ]);
  });

  it('accepts members that are arrow functions and function expressions', async () => {
    const result = await analyzeFixture('arrow-members');
    expect(result.ok && result.manifest.capabilities).toEqual([{ name: 'echo.say', version: 1 }]);
    expect(result.ok && result.manifest.identity).toEqual({ scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 });
  });

  it('fails when a value member is more than one return statement, or async', async () => {
    expect(await diagnosticsOf('unsupported-body')).toEqual([
      {
        code: 'unsupported-body',
        message: 'EchoService.identitySpec() has 2 statements',
        hint: SINGLE_RETURN,
        file: fixtureFile('unsupported-body', 'src/service.ts'),
        line: 20,
        column: 4,
      },
      {
        code: 'unsupported-body',
        message: 'EchoService.info() is async',
        hint: SINGLE_RETURN,
        file: fixtureFile('unsupported-body', 'src/service.ts'),
        line: 24,
        column: 8,
      },
    ]);
  });
});
