/** A container registry host, optionally with a port: `ghcr.io`, `registry.example.com:5000`. */
export const REGISTRY_PATTERN = /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]{1,5})?$/;

/**
 * Whether `<registry>/<org>/<name>:<tag>` is a fully qualified image name, as the Quadlet unit's
 * `AutoUpdate=registry` requires: by the rule of docker/distribution's reference grammar (which
 * podman follows), the first component names a registry only when it holds a dot or a port or is
 * `localhost`; `myregistry/org/name` is a short name, which podman refuses to auto-update.
 */
export function isFullyQualifiedRegistry(registry: string): boolean {
  return REGISTRY_PATTERN.test(registry) && (registry.includes('.') || registry.includes(':') || registry === 'localhost');
}

/**
 * What is wrong with a registry, for the build plugin's `registry` option and `scaffold --registry`
 * alike, to follow the quoted value (`"myregistry" has no dot ...`), or undefined when it can be used.
 */
export function registryProblem(registry: string): string | undefined {
  if (!REGISTRY_PATTERN.test(registry))
    return 'must be a registry host such as ghcr.io or registry.example.com:5000 (lowercase, no scheme, no path)';
  if (isFullyQualifiedRegistry(registry)) return undefined;
  return (
    `has no dot and no port, so podman takes ${registry}/<org>/<name> for a short image name, which the Quadlet unit's ` +
    `AutoUpdate=registry refuses ("short name: auto updates require fully-qualified image reference") and the service never starts: ` +
    `use the registry's full host name (such as ${registry}.example.com) or add its port (such as ${registry}:5000)`
  );
}
