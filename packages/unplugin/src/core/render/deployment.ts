import type { Manifest } from '@hecate-om/contract';
import { DEFAULT_HEALTH_TIMEOUT_MS, deployedEnvironment, HEALTHCHECK_MARGIN_MS, type SettingTarget } from '@hecate-om/contract/rules';
import {
  checkAbsolutePath,
  checkHttpsUrl,
  checkImageReference,
  checkLicense,
  checkPort,
  checkServiceName,
  checkSingleLine,
  checkVersion,
} from './artifact-input.js';
import { debug } from '../debug.js';

/** The manifest fields that the Containerfile and the Quadlet unit embed, each checked for its syntax. */
export interface DeploymentValues {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly license: string;
  readonly source: string | undefined;
  readonly image: string;
  readonly healthPort: number;
  readonly secretsDir: string;
  readonly stateDir: string;
}

/** Reads and checks what the artifacts embed; throws ArtifactInputError on a value it cannot write safely. */
export function deploymentValuesOf(manifest: Manifest): DeploymentValues {
  return {
    name: checkServiceName('manifest.name', manifest.name),
    version: checkVersion('manifest.version', manifest.version),
    description: checkSingleLine('manifest.description', manifest.description),
    license: checkLicense('manifest.license', manifest.license),
    source: manifest.source === undefined ? undefined : checkHttpsUrl('manifest.source', manifest.source),
    image: checkImageReference('manifest.image', manifest.image),
    healthPort: checkPort('manifest.health.port', manifest.health.port),
    secretsDir: checkAbsolutePath('manifest.paths.secrets', manifest.paths.secrets),
    stateDir: checkAbsolutePath('manifest.paths.state', manifest.paths.state),
  };
}

/**
 * The `node` user and group of the official Node images, which the service runs as. Numeric in the
 * image's USER so that Kubernetes' `runAsNonRoot` can verify it without reading /etc/passwd.
 */
export const SERVICE_UID = 1000;
export const SERVICE_GID = 1000;

/**
 * The oldest podman that runs the Quadlet unit: `StopTimeout=` and `Notify=healthy` arrived in 5.0,
 * and quadlet 4.4–4.9 refuses the whole file on a key it does not know.
 */
export const MINIMUM_PODMAN_VERSION = '5.0';

/**
 * The release's entry: `node main.js` serves, `node main.js --healthcheck` probes (no curl needed).
 * The service runs with source maps on, so the stacks in its logs name the service's sources
 * (`src/service.ts:14:5`), not `main.js:1:2244`. A flag, not `process.setSourceMapsEnabled(true)`
 * in the bundle: Node reads a file's source map when it loads the file, so a call made while
 * main.js runs comes too late for main.js itself. The probe runs without: it prints no stack, and
 * skips parsing the map on every health check.
 */
export const SERVICE_COMMAND = ['node', '--enable-source-maps', 'main.js'] as const;
export const HEALTH_CHECK_COMMAND = ['node', 'main.js', '--healthcheck'] as const;

/** What Node needs to load a release before `--healthcheck` starts its own deadline. */
const NODE_START_UP_MS = 3000;

/**
 * How the container engine runs the health check. The interval is short because Quadlet's
 * `Notify=healthy` holds the unit in "activating" until the first passing check; the timeout leaves
 * room for Node's start-up on top of the longest `--healthcheck` waits (the runtime's default
 * `health()` timeout plus its margin).
 */
export const HEALTH_CHECK_TIMING = {
  intervalSeconds: 10,
  timeoutSeconds: Math.ceil((DEFAULT_HEALTH_TIMEOUT_MS + HEALTHCHECK_MARGIN_MS + NODE_START_UP_MS) / 1000),
  startPeriodSeconds: 30,
  retries: 3,
} as const;

/**
 * The runtime's environment variables with the values a deployment needs, from the runtime's own
 * table of settings (RUNTIME_SETTINGS in @hecate-om/contract/rules): every setting is written out,
 * so that an operator sees it in the image and the unit.
 */
export function runtimeEnvironment(
  values: DeploymentValues,
  kind: SettingTarget['kind'],
): ReadonlyArray<readonly [name: string, value: string]> {
  const environment = deployedEnvironment({ kind, healthPort: values.healthPort, secretsDir: values.secretsDir, stateDir: values.stateDir });
  debug(
    'render: the %s runs --healthcheck with a %ds timeout and sets %s',
    kind,
    HEALTH_CHECK_TIMING.timeoutSeconds,
    environment.map(([name, value]) => `${name}=${value}`).join(' '),
  );
  return environment;
}
