import {
  ABSOLUTE_PATH_PATTERN,
  BIDI_CONTROL_PATTERN,
  IMAGE_REFERENCE_PROBLEM,
  isImageReference,
  isPort,
  LICENSE_PATTERN,
  PORT_MAX,
  PORT_MIN,
  SOURCE_URL_PATTERN,
} from '@hecate-om/contract/rules';

/**
 * Checks on every value the deployable artifacts embed. The manifest is validated upstream
 * (parseManifest), but the Containerfile and the Quadlet unit are line-based formats in which one
 * stray character adds an instruction or a directive, so the renderers check again here and refuse
 * what they cannot write safely. These are syntax-safety alphabets, deliberately no stricter than
 * the contract's naming rules (the license, source URL, absolute path and image reference rules are
 * the contract's own, from its zod-free `rules` entry: the renderers run on the plugin's warm path).
 */

/** A value a renderer cannot write safely: the caller skipped validation (a programming error). */
export class ArtifactInputError extends Error {
  override readonly name = 'ArtifactInputError';
  /** The offending input, as a path such as `manifest.description` or `opts.baseImage`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field} ${message}`);
    this.field = field;
  }
}

/** C0 and C1 controls (\n, \r, \t, NEL...), lone surrogates, and the Unicode line/paragraph separators. */
const UNSAFE_CHARACTER = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z.-]{0,127}$/;
const TARBALL_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.tar\.gz$/;

function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Refuses line breaks and other control characters: in a line-based format they start a new directive. */
export function checkSingleLine(field: string, value: string): string {
  const match = UNSAFE_CHARACTER.exec(value);
  if (match !== null)
    throw new ArtifactInputError(
      field,
      `contains the control character ${describeCharacter(match[0])} at index ${match.index}: the Containerfile and the Quadlet unit are line-based, so it could start a new instruction or directive (validate the manifest with parseManifest() before rendering)`,
    );
  const bidi = BIDI_CONTROL_PATTERN.exec(value);
  if (bidi !== null)
    throw new ArtifactInputError(
      field,
      `contains the bidirectional control character ${describeCharacter(bidi[0])} at index ${bidi.index}: it would make the label, the unit and the README display otherwise than they read (validate the manifest with parseManifest() before rendering)`,
    );
  return value;
}

function checkPattern(field: string, value: string, pattern: RegExp, what: string): string {
  checkSingleLine(field, value);
  if (!pattern.test(value)) throw new ArtifactInputError(field, `is ${JSON.stringify(value)}: it must be ${what}`);
  return value;
}

export function checkServiceName(field: string, value: string): string {
  return checkPattern(field, value, SERVICE_NAME, 'a lowercase DNS label (a-z, 0-9, -), safe as a file, container and unit name');
}

export function checkVersion(field: string, value: string): string {
  return checkPattern(field, value, VERSION, 'a version of letters, digits, dots and hyphens (semver)');
}

export function checkAbsolutePath(field: string, value: string): string {
  return checkPattern(field, value, ABSOLUTE_PATH_PATTERN, 'an absolute path of letters, digits, ., _ and -');
}

export function checkLicense(field: string, value: string): string {
  return checkPattern(field, value, LICENSE_PATTERN, 'an SPDX license expression such as Apache-2.0');
}

export function checkHttpsUrl(field: string, value: string): string {
  return checkPattern(field, value, SOURCE_URL_PATTERN, 'an https URL without spaces, quotes or backslashes');
}

export function checkTarballFileName(field: string, value: string): string {
  return checkPattern(field, value, TARBALL_FILE_NAME, 'a plain file name ending in .tar.gz');
}

export function checkImageReference(field: string, value: string): string {
  checkSingleLine(field, value);
  if (!isImageReference(value)) throw new ArtifactInputError(field, `is ${JSON.stringify(value)}: it ${IMAGE_REFERENCE_PROBLEM}`);
  return value;
}

export function checkPort(field: string, value: number): number {
  if (!isPort(value)) throw new ArtifactInputError(field, `is ${value}: it must be a TCP port, an integer from ${PORT_MIN} to ${PORT_MAX}`);
  return value;
}
