/**
 * Capability semantics of UCAN 0.10 (spec 2.3-2.5, 3.2.6, 5.2): which capability covers which, and
 * the intersection of two capability sets. Pure functions over plain JSON.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A caveat: `{}` means "no condition" (spec 3.2.6.3). */
export type Caveat = { [key: string]: Json };
/** `{ resource URI: { ability: [caveat, ...] } }` (spec 3.2.6); an empty caveat array grants nothing. */
export type Capabilities = Record<string, Record<string, Caveat[]>>;

/** One capability: a resource, an ability and one caveat (the caveat array is a disjunction). */
export interface Capability {
  resource: string;
  ability: string;
  /** @default {} (no condition) */
  caveat?: Caveat;
}

/** The top ability (spec 5.2): every ability on the resource. */
export const TOP_ABILITY = '*';

/**
 * Whether `granted` covers `wanted` (spec 2.3, 5.2): abilities compare case-insensitively; `*`
 * covers every ability; `ns/*` covers every ability of namespace `ns` (and `ns/*` itself).
 */
export function abilityCovers(granted: string, wanted: string): boolean {
  if (granted === TOP_ABILITY || granted === wanted) return true;
  const g = granted.toLowerCase();
  const w = wanted.toLowerCase();
  if (g === w) return true;
  return g.endsWith('/*') && w.startsWith(g.slice(0, -1));
}

/**
 * Whether resource `granted` covers `wanted`: equal URIs, or `granted` ends in `/*` and `wanted`
 * lies beneath it (`hecate://echo/*` covers `hecate://echo/inbox` and `hecate://echo/inbox/*`).
 * The spec leaves resource semantics to each resource (spec 6); this path rule is hecate-om's.
 */
export function resourceCovers(granted: string, wanted: string): boolean {
  if (granted === wanted) return true;
  return granted.endsWith('/*') && wanted.length > granted.length - 1 && wanted.startsWith(granted.slice(0, -1));
}

/**
 * Whether caveat `wanted` is `granted` or narrower (spec 3.2.6.3): it holds every field of
 * `granted` with an equal value, and may add fields. Arrays compare as sets.
 */
export function caveatNarrows(wanted: Caveat, granted: Caveat): boolean {
  for (const key of Object.keys(granted)) {
    if (!Object.hasOwn(wanted, key) || !jsonEquals(wanted[key] as Json, granted[key] as Json)) return false;
  }
  return true;
}

/** JSON equality where arrays are sets: order and repetition do not matter. */
export function jsonEquals(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * One string per value up to set semantics: object keys sorted, array elements deduplicated and
 * sorted. Comparing these keeps equality of two arrays near-linear, where element by element it
 * would be quadratic in the token's size.
 */
function canonicalJson(value: Json): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${[...new Set(value.map(canonicalJson))].sort().join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as Json)}`);
  return `{${entries.join(',')}}`;
}

/** The flat list of capabilities of a `cap` map, one per caveat. */
export function capabilityList(cap: Capabilities): Required<Capability>[] {
  const list: Required<Capability>[] = [];
  for (const [resource, abilities] of Object.entries(cap))
    for (const [ability, caveats] of Object.entries(abilities))
      for (const caveat of caveats) list.push({ resource, ability, caveat });
  return list;
}

/** Whether `granted` covers `wanted`: resource, ability and caveat each covered. */
export function capabilityCovers(granted: Required<Capability>, wanted: Capability): boolean {
  return (
    resourceCovers(granted.resource, wanted.resource) &&
    abilityCovers(granted.ability, wanted.ability) &&
    caveatNarrows(wanted.caveat ?? {}, granted.caveat)
  );
}

/** Whether some capability of `granted` covers `wanted`. */
export function capabilitiesCover(granted: readonly Required<Capability>[], wanted: Capability): boolean {
  return granted.some((capability) => capabilityCovers(capability, wanted));
}

/**
 * The capabilities both `requested` and `allowed` cover, as a `cap` map: for each pair, the
 * narrower resource, the narrower ability and the union of two compatible caveats (one with no
 * conflicting field). A request inside what is allowed comes back unchanged; nothing outside
 * either set is ever returned. This is what a realm grants (issue 11).
 */
export function intersectCapabilities(requested: Capabilities, allowed: Capabilities): Capabilities {
  const result: Capabilities = {};
  const allowedList = capabilityList(allowed);
  for (const want of capabilityList(requested))
    for (const allow of allowedList) {
      const resource = narrower(want.resource, allow.resource, resourceCovers);
      const ability = narrower(want.ability, allow.ability, abilityCovers);
      const caveat = mergeCaveats(want.caveat, allow.caveat);
      if (resource === undefined || ability === undefined || caveat === undefined) continue;
      const caveats = ((result[resource] ??= {})[ability] ??= []);
      if (!caveats.some((existing) => jsonEquals(existing, caveat))) caveats.push(caveat);
    }
  return result;
}

function narrower(a: string, b: string, covers: (granted: string, wanted: string) => boolean): string | undefined {
  if (covers(b, a)) return a;
  if (covers(a, b)) return b;
  return undefined;
}

/** A caveat narrowing both (the union of their fields), or undefined when a shared field differs. */
export function mergeCaveats(a: Caveat, b: Caveat): Caveat | undefined {
  for (const key of Object.keys(b))
    if (Object.hasOwn(a, key) && !jsonEquals(a[key] as Json, b[key] as Json)) return undefined;
  return { ...b, ...a };
}
