/**
 * Every name a service goes by, derived by rule from the one kebab-case name its author chose, so
 * that nothing is typed twice and the names cannot disagree.
 */
export interface ServiceNames {
  /** The service name, as given: `hecate-billing`. */
  readonly name: string;
  /** The npm package: `@<org>/<name>`. */
  readonly packageName: string;
  /** Where the image is pushed, without its tag (the tag is the version): `<registry>/<org>/<name>`. */
  readonly imageRepository: string;
  /** The Quadlet unit file: `<name>.container`; systemd runs it as `<name>.service`. */
  readonly quadletUnit: string;
  readonly systemdService: string;
  /** The identity scope: the name itself (a scope may hold a-z, 0-9, `_` and `-`). */
  readonly scope: string;
  /** Capability names start with `<prefix>.`: the name with `-` turned into `_`, as capability segments allow no `-`. */
  readonly capabilityPrefix: string;
  /** The contract class: the name in PascalCase, ending in `Service`: `HecateBillingService`. */
  readonly className: string;
}

export interface Placement {
  readonly org: string;
  readonly registry: string;
}

function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((segment) => segment.charAt(0).toUpperCase() + segment.slice(1))
    .join('');
}

/** Derives every name from a service name that is already known to be valid. */
export function deriveServiceNames(name: string, placement: Placement): ServiceNames {
  const pascal = pascalCase(name);
  return {
    name,
    packageName: `@${placement.org}/${name}`,
    imageRepository: `${placement.registry}/${placement.org}/${name}`,
    quadletUnit: `${name}.container`,
    systemdService: `${name}.service`,
    scope: name,
    capabilityPrefix: name.replaceAll('-', '_'),
    className: pascal.endsWith('Service') ? pascal : `${pascal}Service`,
  };
}
