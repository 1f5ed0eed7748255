import { describe, expect, it } from 'vitest';
import { missingBuiltinProblem, withBuiltinRequiresIgnored } from '../src/core/builtin-requires.js';

describe('withBuiltinRequiresIgnored', () => {
  it('ignores the builtins, with and without node:, and node: ids this Node does not know', () => {
    const ignore = withBuiltinRequiresIgnored(undefined);
    expect(['events', 'fs/promises', 'node:events', 'node:sqlite', 'node:some-future-builtin'].filter(ignore)).toHaveLength(5);
    expect(['express', './events', 'events/', 'sqlite'].some(ignore)).toBe(false);
  });

  it("keeps the user's own list or predicate beside the builtins", () => {
    const fromList = withBuiltinRequiresIgnored(['pg-native']);
    expect([fromList('pg-native'), fromList('node:sqlite'), fromList('pg')]).toEqual([true, true, false]);
    const fromPredicate = withBuiltinRequiresIgnored((id) => id.startsWith('optional-'));
    expect([fromPredicate('optional-addon'), fromPredicate('events'), fromPredicate('pg')]).toEqual([true, true, false]);
  });
});

describe('missingBuiltinProblem', () => {
  it('names a builtin imported at load that the Node of the base image lacks, and what to change', () => {
    const problem = missingBuiltinProblem(['node:events', 'node:sqlite', 'node:sqlite'], 'docker.io/library/node:20-slim');
    expect(problem).toMatch(/^main\.js imports node:sqlite as it loads, which Node 20 \(the base image docker\.io\/library\/node:20-slim\) does not have \(Node 22 and later do\)/);
    expect(problem).toContain("await import('node:sqlite')");
  });

  it('passes a Node that has it, and a base image whose tag names no Node major', () => {
    expect(missingBuiltinProblem(['node:sqlite'], 'docker.io/library/node:22-slim')).toBeUndefined();
    expect(missingBuiltinProblem(['node:sqlite'], 'docker.io/library/node:jod-alpine')).toBeUndefined();
    expect(missingBuiltinProblem(['node:sqlite'], 'registry.example.com/base/runtime:1')).toBeUndefined();
    expect(missingBuiltinProblem(['node:events', 'express'], 'docker.io/library/node:20-slim')).toBeUndefined();
  });
});
