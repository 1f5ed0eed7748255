import { contractValuesOf, type HecateService, type Manifest } from '@hecate-om/contract';
import type { BuildTimeMember } from '@hecate-om/contract/rules';
import { describeError, showValue } from './describe-error.js';

/**
 * Compares what the running code's build-time members (`info()`, `capabilities()` and
 * `identitySpec()`, in the manifest's order) return with the values the embedded manifest was derived from, and names every difference, such as
 * `capabilities()[0].version is 2 but the manifest built into this release says 1`. A release whose
 * code no longer matches its manifest would advertise one thing and do another.
 */
export function findContractDrift(service: HecateService<unknown>, manifest: Manifest): string[] {
  const expected = contractValuesOf(manifest);
  const differences: string[] = [];
  for (const member of Object.keys(expected) as BuildTimeMember[]) {
    let actual: unknown;
    try {
      actual = service[member]();
    } catch (error) {
      differences.push(`${member}() threw ${describeError(error)}; the manifest built into this release expects a value`);
      continue;
    }
    compare(actual, expected[member], `${member}()`, differences);
  }
  return differences;
}

function compare(actual: unknown, expected: unknown, path: string, differences: string[]): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const length = Math.max(actual.length, expected.length);
    for (let index = 0; index < length; index += 1) {
      const itemPath = `${path}[${index}]`;
      if (index >= actual.length) differences.push(`${itemPath} is missing but the manifest built into this release says ${show(expected[index])}`);
      else if (index >= expected.length) differences.push(`${itemPath} is ${show(actual[index])} but the manifest built into this release has no such entry`);
      else compare(actual[index], expected[index], itemPath, differences);
    }
    return;
  }
  if (isRecord(expected) && isRecord(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const keyPath = `${path}.${key}`;
      if (!(key in actual)) differences.push(`${keyPath} is missing but the manifest built into this release says ${show(expected[key])}`);
      else if (!(key in expected)) differences.push(`${keyPath} is ${show(actual[key])} but the manifest built into this release has no such field`);
      else compare(actual[key], expected[key], keyPath, differences);
    }
    return;
  }
  if (!Object.is(actual, expected))
    differences.push(`${path} is ${show(actual)} but the manifest built into this release says ${show(expected)}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  return showValue(value);
}
