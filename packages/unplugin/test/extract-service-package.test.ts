import { describe, expect, it } from 'vitest';
import { sourceUrlOf } from '../src/core/extract/service-package.js';

describe('sourceUrlOf', () => {
  it.each([
    ['git+https://github.com/acme/hecate-echo.git', 'https://github.com/acme/hecate-echo'],
    ['https://github.com/acme/hecate-echo', 'https://github.com/acme/hecate-echo'],
    ['https://gitlab.example.org/team/echo.git/', 'https://gitlab.example.org/team/echo'],
    ['github:acme/hecate-echo', 'https://github.com/acme/hecate-echo'],
    ['acme/hecate-echo', 'https://github.com/acme/hecate-echo'],
    ['gitlab:acme/hecate-echo', 'https://gitlab.com/acme/hecate-echo'],
    ['git+https://ghp_s3cr3tT0ken@github.com/acme/hecate-echo.git', 'https://github.com/acme/hecate-echo'],
    ['https://x-access-token:s3cr3t@gitlab.example.org/team/echo.git', 'https://gitlab.example.org/team/echo'],
  ])('normalizes %s to %s', (repository, url) => {
    expect(sourceUrlOf(repository)).toBe(url);
    expect(sourceUrlOf({ type: 'git', url: repository })).toBe(url);
  });

  it.each([
    'git@github.com:acme/hecate-echo.git',
    'ssh://git@github.com/acme/hecate-echo.git',
    'git://github.com/acme/hecate-echo.git',
    'http://github.com/acme/hecate-echo',
  ])('leaves out %s, which is not https', (repository) => {
    expect(sourceUrlOf(repository)).toBeUndefined();
  });

  it('leaves out a repository that is neither a string nor { url }', () => {
    expect(sourceUrlOf(undefined)).toBeUndefined();
    expect(sourceUrlOf({ type: 'git' })).toBeUndefined();
    expect(sourceUrlOf(42)).toBeUndefined();
  });
});
