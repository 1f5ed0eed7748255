/**
 * OCI image references, in the one grammar every package checks them with: docker/distribution's
 * (github.com/distribution/reference, `reference.go`), which podman and the registries follow:
 * `[domain/]path[:tag][@digest]`.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

/** Any image reference: `node`, `docker.io/library/node:24-slim`, `node@sha256:…`. */
export const IMAGE_REFERENCE_PATTERN = /* @__PURE__ */ new RegExp(
  `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`,
);

/**
 * The image a build names in the manifest, `<registry>/<org>/<name>:<version>`: the same grammar
 * with the registry and the tag required and no digest (the digest is known only once pushed).
 */
export const TAGGED_IMAGE_PATTERN = /* @__PURE__ */ new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})+:${TAG}$`);

/** The grammar's limit on the name (everything before the tag and digest). */
export const IMAGE_NAME_MAX_LENGTH = 255;

/** Whether `text` is an image reference such as `docker.io/library/node:24-slim` or `node@sha256:…`. */
export function isImageReference(text: string): boolean {
  return IMAGE_REFERENCE_PATTERN.test(text) && imageNameOf(text).length <= IMAGE_NAME_MAX_LENGTH;
}

/** `registry.example.com:5000/org/name:1.0@sha256:…` → `registry.example.com:5000/org/name`. */
function imageNameOf(reference: string): string {
  const withoutDigest = reference.split('@', 1)[0] ?? reference;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const tagColon = withoutDigest.indexOf(':', lastSlash + 1);
  return tagColon === -1 ? withoutDigest : withoutDigest.slice(0, tagColon);
}

/** What an image reference must be, to follow the quoted value in a message. */
export const IMAGE_REFERENCE_PROBLEM = 'must be an image reference such as docker.io/library/node:24-slim ([registry/]path[:tag][@digest])';
