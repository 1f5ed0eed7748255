import { formatJsonPath } from '@hecate-om/contract';
import type { SourceLocation } from './source-files.js';

/** Where a value sits in the contract values: `['identitySpec', 'resources', 1]`. */
export type ValuePath = readonly (string | number)[];

/**
 * A value read from source, each part remembering the expression that produced it, so a rule broken
 * at `identitySpec.resources[1]` can be reported at that string, even in another file.
 * `unknown` stands where the value could not be read (that problem is reported already).
 */
export type LocatedValue =
  | { readonly kind: 'primitive'; readonly value: string | number | boolean | null; readonly location: SourceLocation }
  | { readonly kind: 'array'; readonly items: readonly LocatedValue[]; readonly location: SourceLocation }
  | { readonly kind: 'object'; readonly entries: ReadonlyMap<string, LocatedValue>; readonly location: SourceLocation }
  | { readonly kind: 'unknown' };

/** The plain JSON value, with `undefined` where a part could not be read. */
export function plainValueOf(value: LocatedValue): unknown {
  switch (value.kind) {
    case 'primitive':
      return value.value;
    case 'array':
      return value.items.map(plainValueOf);
    case 'object':
      return Object.fromEntries([...value.entries].map(([key, entry]) => [key, plainValueOf(entry)]));
    case 'unknown':
      return undefined;
  }
}

/** The location of the value at `path`, or of its nearest located ancestor (say, the object missing a key). */
export function locationOfPath(value: LocatedValue, path: readonly PropertyKey[]): SourceLocation | undefined {
  let current = value;
  let location = current.kind === 'unknown' ? undefined : current.location;
  for (const key of path) {
    const next =
      current.kind === 'object' && typeof key === 'string'
        ? current.entries.get(key)
        : current.kind === 'array' && typeof key === 'number'
          ? current.items[key]
          : undefined;
    if (next === undefined || next.kind === 'unknown') break;
    current = next;
    location = next.location;
  }
  return location;
}

/** `['info', 'version']` → `info().version`; `['capabilities', 1]` → `capabilities()[1]`. */
export function formatValuePath(path: readonly PropertyKey[]): string {
  const [member, ...rest] = path;
  if (member === undefined) return 'the contract';
  return `${String(member)}()${formatJsonPath(rest).slice(1)}`;
}

/** Whether `path` is `prefix` or lies under it. */
export function isUnder(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((key, index) => path[index] === key);
}
