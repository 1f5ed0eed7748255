import { join } from 'node:path';
import { Node, type SourceFile } from 'ts-morph';
import { URL_CREDENTIALS } from '../credentials.js';
import type { Diagnostic } from '../diagnostic.js';
import { LIMITS } from './limits.js';
import { diagnosticAt, locationOf, type SourceFiles, type SourceLocation, startOf, startOfMissingFile } from './source-files.js';

/** The facts the manifest takes from the service's own package.json. */
export interface ServicePackage {
  readonly file: SourceFile;
  readonly version: string;
  /** SPDX expression; `UNLICENSED` when package.json names none. */
  readonly license: string;
  /** https URL of the repository, when package.json names one reachable over https. */
  readonly source: string | undefined;
}

export type ServicePackageResult =
  | { readonly ok: true; readonly value: ServicePackage }
  | { readonly ok: false; readonly diagnostic: Diagnostic };

/** License of a package that declares none: npm's own word for "all rights reserved". */
export const DEFAULT_LICENSE = 'UNLICENSED';

export function readServicePackage(files: SourceFiles, root: string): ServicePackageResult {
  const path = join(root, 'package.json');
  const reading = files.read(path);
  const failure = (message: string, location: SourceLocation, hint?: string): ServicePackageResult => ({
    ok: false,
    diagnostic: diagnosticAt('bad-package-json', message, location, hint),
  });
  if (!reading.ok)
    switch (reading.kind) {
      case 'missing':
      case 'too-many-files':
        return failure(`${path} does not exist`, startOfMissingFile(path), "the service project needs a package.json with the service's version");
      case 'not-a-file':
        return failure(`${path} is ${reading.what}`, startOfMissingFile(path), "the service project needs a package.json file with the service's version");
      case 'too-deep':
        return failure(`package.json nests more than ${LIMITS.depth} levels deep, past the reader's limit`, reading.location);
      case 'too-large':
        return failure(`package.json holds ${reading.size} bytes, more than the ${LIMITS.sourceBytes} the build reads`, startOfMissingFile(path));
      case 'not-utf8':
        return failure(`package.json is not UTF-8 (byte 0x${reading.byte.toString(16).toUpperCase().padStart(2, '0')})`, reading.location, 'npm reads it as UTF-8, so save it as UTF-8');
    }
  const file = reading.file;
  let json: unknown;
  try {
    json = JSON.parse(file.getFullText());
  } catch (error) {
    return failure(`package.json is not valid JSON (${(error as Error).message})`, startOf(file), 'fix it so the build can read the version');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return failure('package.json does not hold an object', startOf(file), 'the build reads the version from it: make it an object with a "version" string');
  const { version, license, repository } = json as Record<string, unknown>;
  if (typeof version !== 'string')
    return failure('package.json has no "version" string', packageFieldLocation(file, 'version'), 'info().version must equal it, so add one such as "version": "0.1.0"');
  return {
    ok: true,
    value: { file, version, license: typeof license === 'string' ? license : DEFAULT_LICENSE, source: sourceUrlOf(repository) },
  };
}

/** Where a top-level field's value is written in package.json, or the file's start when it is absent. */
export function packageFieldLocation(file: SourceFile, field: string): SourceLocation {
  const [statement] = file.getStatements();
  const object = statement !== undefined && Node.isExpressionStatement(statement) ? statement.getExpression() : undefined;
  if (object !== undefined && Node.isObjectLiteralExpression(object))
    for (const property of object.getProperties())
      if (Node.isPropertyAssignment(property) && property.getName().replace(/^"|"$/g, '') === field)
        return locationOf(property.getInitializerOrThrow());
  return startOf(file);
}

const SHORTHAND_HOSTS: Record<string, string> = { github: 'github.com', gitlab: 'gitlab.com', bitbucket: 'bitbucket.org' };
const SHORTHAND = /^(?:(github|gitlab|bitbucket):)?([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?$/;
const HTTPS_URL = /^(?:git\+)?https:\/\/(.+?)(?:\.git)?\/?$/;

/**
 * package.json `repository` (a string or `{ url }`) as the https URL a person can open:
 * `git+https://github.com/o/r.git` and `github:o/r` (or `o/r`) → `https://github.com/o/r`.
 * Credentials in the URL (`https://<token>@github.com/...`) are dropped: the manifest is public.
 * Other protocols (ssh, git, http) are left out: the manifest's source must be https.
 */
export function sourceUrlOf(repository: unknown): string | undefined {
  const url =
    typeof repository === 'string'
      ? repository
      : typeof repository === 'object' && repository !== null && typeof (repository as { url?: unknown }).url === 'string'
        ? (repository as { url: string }).url
        : undefined;
  if (url === undefined) return undefined;
  const shorthand = SHORTHAND.exec(url);
  if (shorthand !== null) return `https://${SHORTHAND_HOSTS[shorthand[1] ?? 'github']}/${shorthand[2]}/${shorthand[3]}`;
  const https = HTTPS_URL.exec(url.replace(URL_CREDENTIALS, ''));
  return https === null ? undefined : `https://${https[1]}`;
}
