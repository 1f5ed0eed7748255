import { describe, expect, it } from 'vitest';
import { githubOwnerOf, optionsProblem, resolveOptions } from '../src/core/options.js';

describe('resolveOptions', () => {
  it('fills in every default against the bundler root', () => {
    expect(resolveOptions(undefined, '/srv/echo', {})).toEqual({
      root: '/srv/echo',
      service: '/srv/echo/src/service.ts',
      registry: 'ghcr.io',
      org: 'hecate-om',
      healthPort: 8470,
      baseImage: 'docker.io/library/node:24-slim',
      tarball: true,
      cacheDir: '/srv/echo/node_modules/.cache/hecate-om',
      files: [],
    });
  });

  it('resolves root, service and cacheDir relative to the bundler root and the service root', () => {
    const resolved = resolveOptions({ root: 'services/echo', service: 'lib/echo.ts', cacheDir: '.hecate-cache' }, '/repo', {});
    expect(resolved).toMatchObject({
      root: '/repo/services/echo',
      service: '/repo/services/echo/lib/echo.ts',
      cacheDir: '/repo/services/echo/.hecate-cache',
    });
  });

  it('takes the org from the GitHub owner of package.json repository unless the options name one', () => {
    const packageJson = { repository: { type: 'git', url: 'git+https://github.com/Acme-Labs/echo.git' } };
    expect(resolveOptions({}, '/srv/echo', packageJson).org).toBe('acme-labs');
    expect(resolveOptions({ org: 'mesh' }, '/srv/echo', packageJson).org).toBe('mesh');
  });

  it('keeps what the options set', () => {
    const resolved = resolveOptions(
      { registry: 'registry.example.com:5000', healthPort: 9000, baseImage: 'docker.io/library/node:22-slim', tarball: false },
      '/srv/echo',
      {},
    );
    expect(resolved).toMatchObject({ registry: 'registry.example.com:5000', healthPort: 9000, baseImage: 'docker.io/library/node:22-slim', tarball: false });
  });

  it('defaults the base image to the newest Node the native addons load under, when that is not the default Node', () => {
    expect(resolveOptions(undefined, '/srv/echo', {}, [20]).baseImage).toBe('docker.io/library/node:20-slim');
    expect(resolveOptions(undefined, '/srv/echo', {}, [20, 22]).baseImage).toBe('docker.io/library/node:22-slim');
    expect(resolveOptions(undefined, '/srv/echo', {}, [22, 24]).baseImage).toBe('docker.io/library/node:24-slim');
    expect(resolveOptions(undefined, '/srv/echo', {}, []).baseImage).toBe('docker.io/library/node:24-slim');
    expect(resolveOptions({ baseImage: 'docker.io/library/node:24-slim' }, '/srv/echo', {}, [20]).baseImage).toBe('docker.io/library/node:24-slim');
  });
});

describe('githubOwnerOf', () => {
  it.each([
    ['https://github.com/acme/echo', 'acme'],
    ['git+https://github.com/acme/echo.git', 'acme'],
    ['git+ssh://git@github.com/acme/echo.git', 'acme'],
    ['git@github.com:acme/echo.git', 'acme'],
    ['github:acme/echo', 'acme'],
    ['acme/echo', 'acme'],
    [{ type: 'git', url: 'https://github.com/ACME/echo' }, 'acme'],
  ])('finds the owner in %j', (repository, owner) => {
    expect(githubOwnerOf(repository)).toBe(owner);
  });

  it.each([[undefined], ['https://gitlab.com/acme/echo'], [{ url: 42 }], ['not a repository']])('finds none in %j', (repository) => {
    expect(githubOwnerOf(repository)).toBeUndefined();
  });
});

describe('optionsProblem', () => {
  it('accepts the defaults and a pinned digest', () => {
    expect(optionsProblem(resolveOptions(undefined, '/srv/echo', {}))).toBeUndefined();
    const pinned = `docker.io/library/node:24-slim@sha256:${'a'.repeat(64)}`;
    expect(optionsProblem(resolveOptions({ baseImage: pinned }, '/srv/echo', {}))).toBeUndefined();
  });

  it('refuses a baseImage that is not an image reference, naming it', () => {
    expect(optionsProblem(resolveOptions({ baseImage: 'Node:24 AS build' }, '/srv/echo', {}))).toBe(
      'the baseImage option is "Node:24 AS build": the Containerfile starts FROM it, so it must be an image reference such as docker.io/library/node:24-slim ([registry/]path[:tag][@digest]) on one line',
    );
  });

  it.each(['registry.example.com', 'myregistry:5000', 'localhost', 'localhost:5000', 'ghcr.io'])('accepts the fully qualified registry %s', (registry) => {
    expect(optionsProblem(resolveOptions({ registry }, '/srv/echo', {}))).toBeUndefined();
  });

  it('refuses a registry without a dot or a port, saying what to change', () => {
    expect(optionsProblem(resolveOptions({ registry: 'myregistry' }, '/srv/echo', {}))).toBe(
      'the registry option "myregistry" has no dot and no port, so podman takes myregistry/<org>/<name> for a short image name, which the Quadlet unit\'s AutoUpdate=registry refuses ("short name: auto updates require fully-qualified image reference") and the service never starts: use the registry\'s full host name (such as myregistry.example.com) or add its port (such as myregistry:5000)',
    );
  });

  it('refuses a registry given as a URL', () => {
    expect(optionsProblem(resolveOptions({ registry: 'https://ghcr.io' }, '/srv/echo', {}))).toBe(
      'the registry option "https://ghcr.io" must be a registry host such as ghcr.io or registry.example.com:5000 (lowercase, no scheme, no path)',
    );
  });
});
