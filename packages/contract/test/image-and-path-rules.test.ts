import { describe, expect, it } from 'vitest';
import { ManifestSchema } from '../src/index.js';
import { isAbsolutePath, isImageReference, RUNTIME_SETTINGS, TAGGED_IMAGE_PATTERN } from '../src/rules.js';

describe('isImageReference', () => {
  it.each([
    ['docker.io/library/node:24-slim', true],
    ['node', true],
    ['node:24', true],
    ['localhost:5000/a/b_c__d-e.f:v1.0', true],
    ['node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', true],
    ['Node:24', false],
    ['node:', false],
    ['node:-x', false],
    ['/node', false],
    ['node//x', false],
    ['node:24 x', false],
  ])('says %j is %s', (value, expected) => {
    expect(isImageReference(value)).toBe(expected);
  });

  it('refuses a name longer than the grammar allows, whatever its tag', () => {
    const name = `registry.example.com/${'a'.repeat(255 - 'registry.example.com/'.length)}`;
    expect([isImageReference(`${name}:1.0`), isImageReference(`${name}a:1.0`)]).toEqual([true, false]);
  });
});

describe("the manifest's image: the same grammar with a registry and a tag", () => {
  it.each([
    ['ghcr.io/acme/hecate-echo:0.1.0', true],
    ['registry.example.com:5000/acme/team/hecate-echo:1.2.3-rc.1', true],
    ['localhost/acme/echo:1.0.0', true],
    ['ghcr.io/acme/hecate-echo', false],
    ['hecate-echo:0.1.0', false],
    ['ghcr.io/acme/hecate-echo:0.1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', false],
    ['ghcr.io/Acme/echo:1.0.0', false],
  ])('takes %j: %s, and every one it takes is an image reference', (image, expected) => {
    expect(ManifestSchema.shape.image.safeParse(image).success).toBe(expected);
    expect(TAGGED_IMAGE_PATTERN.test(image)).toBe(expected);
    if (expected) expect(isImageReference(image)).toBe(true);
  });
});

describe('isAbsolutePath: one check for the manifest, the renderers and the runtime settings', () => {
  it.each([
    ['/var/lib/hecate/hecate-echo', true],
    ['/etc/hecate/secrets/echo/', true],
    ['/', true],
    ['/srv/a.b_c-d', true],
    ['secrets', false],
    ['', false],
    ['//srv', false],
    ['/srv/my secrets', false],
    ['/var/lib/$HOME', false],
    ['/etc/x:/:rw', false],
    ['/srv/\n', false],
  ])('says %j is %s, and the manifest and HECATE_STATE_DIR agree', (path, expected) => {
    expect(isAbsolutePath(path)).toBe(expected);
    expect(ManifestSchema.shape.paths.shape.state.safeParse(path).success).toBe(expected);
    expect(RUNTIME_SETTINGS.stateDir.parse(path) === path).toBe(expected);
  });
});
