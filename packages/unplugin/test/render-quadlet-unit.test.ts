import { describe, expect, it } from 'vitest';
import { ArtifactInputError } from '../src/core/render/artifact-input.js';
import { quadletUnitFileName, renderQuadletUnit } from '../src/core/render/quadlet-unit.js';
import { HOSTILE_VALID_DESCRIPTIONS, LINE_BREAKING_DESCRIPTIONS, artifactManifest } from './helpers/artifact-manifest.js';
import { expandSpecifiers, parseSystemdUnit, splitSystemdWords, valuesOf } from './helpers/systemd-unit.js';

const EXPECTED_SECTIONS = [
  {
    name: 'Unit',
    entries: [
      // No Wants=/After=network-online.target: quadlet 5.2 and later add both, and twice is a fault.
      { key: 'Description', value: 'hecate-echo: Echoes over the mesh' },
    ],
  },
  {
    name: 'Container',
    entries: [
      { key: 'Image', value: 'ghcr.io/hecate-om/hecate-echo:1.2.3' },
      { key: 'ContainerName', value: 'hecate-echo' },
      { key: 'AutoUpdate', value: 'registry' },
      { key: 'Environment', value: '"HECATE_HEALTH_HOST=0.0.0.0"' },
      { key: 'Environment', value: '"HECATE_HEALTH_PORT=8470"' },
      { key: 'Environment', value: '"HECATE_SECRETS_DIR=/etc/hecate/secrets/hecate-echo"' },
      { key: 'Environment', value: '"HECATE_STATE_DIR=/var/lib/hecate/hecate-echo"' },
      { key: 'Environment', value: '"HECATE_LOG_LEVEL=info"' },
      { key: 'Environment', value: '"HECATE_HEALTH_TIMEOUT_MS=1000"' },
      { key: 'Environment', value: '"HECATE_SHUTDOWN_TIMEOUT_MS=10000"' },
      { key: 'Environment', value: '"HECATE_REALM_URL="' },
      { key: 'Environment', value: '"HECATE_REALM_DID="' },
      { key: 'Environment', value: '"HECATE_IDENTITY_REQUIRED=auto"' },
      { key: 'Environment', value: '"HECATE_REVOCATION_REFRESH_MS=30000"' },
      { key: 'Environment', value: '"HECATE_MESH_URL="' },
      { key: 'Environment', value: '"HECATE_MESH_AUTHORIZATION=on"' },
      { key: 'Volume', value: '/etc/hecate/secrets/hecate-echo:/etc/hecate/secrets/hecate-echo:ro,Z' },
      { key: 'Volume', value: 'hecate-echo-state:/var/lib/hecate/hecate-echo' },
      { key: 'HealthCmd', value: '["node","main.js","--healthcheck"]' },
      { key: 'HealthInterval', value: '10s' },
      { key: 'HealthTimeout', value: '5s' },
      { key: 'HealthStartPeriod', value: '30s' },
      { key: 'HealthRetries', value: '3' },
      { key: 'HealthOnFailure', value: 'kill' },
      { key: 'Notify', value: 'healthy' },
      { key: 'StopTimeout', value: '15' },
      { key: 'RunInit', value: 'true' },
      { key: 'UserNS', value: 'keep-id:uid=1000,gid=1000' },
      { key: 'ReadOnly', value: 'true' },
      { key: 'DropCapability', value: 'all' },
      { key: 'NoNewPrivileges', value: 'true' },
    ],
  },
  {
    name: 'Service',
    entries: [
      { key: 'Restart', value: 'always' },
      { key: 'RestartSec', value: '10' },
      { key: 'TimeoutStartSec', value: '900' },
      { key: 'TimeoutStopSec', value: '30' },
    ],
  },
  { name: 'Install', entries: [{ key: 'WantedBy', value: 'default.target' }] },
];

/** What systemd makes of Description=: specifiers expanded, nothing unquoted. */
function descriptionOf(unit: string): string {
  const [description] = valuesOf(parseSystemdUnit(unit), 'Unit', 'Description');
  return expandSpecifiers(description ?? '');
}

function structureOf(unit: string): Array<[string, string[]]> {
  return parseSystemdUnit(unit).map((section) => [section.name, section.entries.map((entry) => entry.key)]);
}

describe('renderQuadletUnit', () => {
  it('renders exactly the sections and keys of podman-systemd.unit(5) that the service needs', () => {
    expect(parseSystemdUnit(renderQuadletUnit(artifactManifest()))).toEqual(EXPECTED_SECTIONS);
  });

  it('sets the runtime environment as systemd reads Environment= (unquoted, one assignment per line)', () => {
    const unit = parseSystemdUnit(renderQuadletUnit(artifactManifest({ health: { port: 9000, path: '/health' } })));
    const assignments = valuesOf(unit, 'Container', 'Environment').flatMap((value) => splitSystemdWords(expandSpecifiers(value)));
    expect(assignments).toEqual([
      'HECATE_HEALTH_HOST=0.0.0.0',
      'HECATE_HEALTH_PORT=9000',
      'HECATE_SECRETS_DIR=/etc/hecate/secrets/hecate-echo',
      'HECATE_STATE_DIR=/var/lib/hecate/hecate-echo',
      'HECATE_LOG_LEVEL=info',
      'HECATE_HEALTH_TIMEOUT_MS=1000',
      'HECATE_SHUTDOWN_TIMEOUT_MS=10000',
      'HECATE_REALM_URL=',
      'HECATE_REALM_DID=',
      'HECATE_IDENTITY_REQUIRED=auto',
      'HECATE_REVOCATION_REFRESH_MS=30000',
      'HECATE_MESH_URL=',
      'HECATE_MESH_AUTHORIZATION=on',
    ]);
  });

  it('lets the stop deadlines exceed the runtime drain deadline, each past the one before', () => {
    const unit = parseSystemdUnit(renderQuadletUnit(artifactManifest()));
    const assignments = valuesOf(unit, 'Container', 'Environment').flatMap((value) => splitSystemdWords(value));
    const drainMs = Number(assignments.find((assignment) => assignment.startsWith('HECATE_SHUTDOWN_TIMEOUT_MS='))?.split('=')[1]);
    const podmanStopSeconds = Number(valuesOf(unit, 'Container', 'StopTimeout')[0]);
    const systemdStopSeconds = Number(valuesOf(unit, 'Service', 'TimeoutStopSec')[0]);
    expect([drainMs, podmanStopSeconds * 1000, systemdStopSeconds * 1000]).toEqual([10_000, 15_000, 30_000]);
  });

  it('says in its header that it needs podman 5.0, and leaves network-online.target to quadlet', () => {
    const unit = renderQuadletUnit(artifactManifest());
    expect(unit.split('\n').filter((line) => line.startsWith('#'))).toContain(
      '# Needs podman 5.0 or later: older quadlet refuses StopTimeout= and Notify=healthy.',
    );
    expect(unit).not.toContain('network-online.target');
  });

  it('restarts at least as far apart as systemd\'s start limit, so failures at boot never stop it for good', () => {
    const unit = parseSystemdUnit(renderQuadletUnit(artifactManifest()));
    // systemd's defaults: StartLimitBurst=5 within StartLimitIntervalSec=10s.
    expect(Number(valuesOf(unit, 'Service', 'RestartSec')[0]) * 5).toBeGreaterThan(10);
  });

  it('names its file after the service', () => {
    expect(quadletUnitFileName(artifactManifest())).toBe('hecate-echo.container');
  });

  it.each(HOSTILE_VALID_DESCRIPTIONS.map((description) => [description]))(
    'keeps the hostile description %j on its own line, adding no key or section, and reads back exactly',
    (description) => {
      const unit = renderQuadletUnit(artifactManifest({ description }));
      expect(structureOf(unit)).toEqual(structureOf(renderQuadletUnit(artifactManifest())));
      expect(descriptionOf(unit)).toBe(`hecate-echo: ${description}`);
    },
  );

  it('escapes a % in the description as %% so that systemd expands no specifier', () => {
    const unit = renderQuadletUnit(artifactManifest({ description: 'home %h, 50% done' }));
    expect(valuesOf(parseSystemdUnit(unit), 'Unit', 'Description')).toEqual(['hecate-echo: home %%h, 50%% done']);
  });

  it('doubles a final odd run of backslashes so that the description cannot swallow the next line', () => {
    const unit = renderQuadletUnit(artifactManifest({ description: 'ends in a backslash \\' }));
    expect(structureOf(unit)).toEqual(structureOf(renderQuadletUnit(artifactManifest())));
    expect(descriptionOf(unit)).toBe('hecate-echo: ends in a backslash \\\\');
  });

  it('drops trailing spaces from the description, as systemd would, but keeps a final no-break space', () => {
    expect(descriptionOf(renderQuadletUnit(artifactManifest({ description: 'spaced out   ' })))).toBe('hecate-echo: spaced out');
    expect(descriptionOf(renderQuadletUnit(artifactManifest({ description: 'no-break space\u00a0' })))).toBe('hecate-echo: no-break space\u00a0');
  });

  it.each(['\u202E', '\u2066'])('refuses a description with the bidi control %j, which would display it reordered', (control) => {
    const description = `Echoes ${control}over the mesh`;
    expect(() => renderQuadletUnit(artifactManifest({ description }))).toThrow(
      new ArtifactInputError(
        'manifest.description',
        `contains the bidirectional control character U+${control.codePointAt(0)?.toString(16).toUpperCase()} at index 7: it would make the label, the unit and the README display otherwise than they read (validate the manifest with parseManifest() before rendering)`,
      ),
    );
  });

  it.each(LINE_BREAKING_DESCRIPTIONS)('refuses a description with %s', (_label, description, codePoint, index) => {
    expect(() => renderQuadletUnit(artifactManifest({ description }))).toThrow(
      new ArtifactInputError(
        'manifest.description',
        `contains the control character ${codePoint} at index ${index}: the Containerfile and the Quadlet unit are line-based, so it could start a new instruction or directive (validate the manifest with parseManifest() before rendering)`,
      ),
    );
  });

  it.each([
    ['name', { name: 'echo\n[Service]' }, 'manifest.name'],
    ['name', { name: 'Echo Service' }, 'manifest.name'],
    ['image', { image: 'ghcr.io/x/y:1 --privileged' }, 'manifest.image'],
    ['secrets path', { paths: { secrets: '/etc/x:/:rw', state: '/var/lib/x' } }, 'manifest.paths.secrets'],
    ['state path', { paths: { secrets: '/etc/x', state: '/var/lib/$HOME' } }, 'manifest.paths.state'],
    ['health port', { health: { port: 0, path: '/health' as const } }, 'manifest.health.port'],
  ] as const)('refuses a malformed %s naming the field', (_label, override, field) => {
    const render = (): string => renderQuadletUnit(artifactManifest(override));
    expect(render).toThrow(ArtifactInputError);
    expect(render).toThrow(expect.objectContaining({ field }));
  });

  it('refuses an unsafe name with a message that says what is needed', () => {
    expect(() => renderQuadletUnit(artifactManifest({ name: 'Echo Service' }))).toThrow(
      'manifest.name is "Echo Service": it must be a lowercase DNS label (a-z, 0-9, -), safe as a file, container and unit name',
    );
  });

  it('says where the realm join token is mounted, inside the read-only secrets volume', () => {
    expect(renderQuadletUnit(artifactManifest()).split('\n').filter((line) => line.includes('join token'))).toEqual([
      '# With a realm (HECATE_REALM_URL, HECATE_REALM_DID): put the join token in /etc/hecate/secrets/hecate-echo/join-token before the first start.',
    ]);
  });
});
