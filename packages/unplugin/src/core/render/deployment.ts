import type { Manifest } from '@hecate-om/contract';
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

/** The release's entry: `node main.js` serves, `node main.js --healthcheck` probes (no curl needed). */
export const SERVICE_COMMAND = ['node', 'main.js'] as const;
export const HEALTH_CHECK_COMMAND = ['node', 'main.js', '--healthcheck'] as const;

/**
 * How the container engine runs the health check. The interval is short because Quadlet's
 * `Notify=healthy` holds the unit in "activating" until the first passing check; the timeout leaves
 * room for Node's start-up on top of the runtime's 1 s `health()` timeout.
 */
export const HEALTH_CHECK_TIMING = {
  intervalSeconds: 10,
  timeoutSeconds: 5,
  startPeriodSeconds: 30,
  retries: 3,
} as const;

/** The log level of a deployed service: the runtime's default (warn) is for development. */
const DEPLOYED_LOG_LEVEL = 'info';
/**
 * The runtime's own default, written out so that an operator sees every setting in the unit and the
 * image; `--healthcheck` waits this plus one second, inside the engine's 5 s health-check timeout.
 */
const HEALTH_TIMEOUT_MS = 1000;

/**
 * The runtime's environment variables (see @hecate-om/runtime) with the values a container needs:
 * the health endpoint listens on every interface so that the engine can publish its port.
 */
export function runtimeEnvironment(
  values: DeploymentValues,
  shutdownTimeoutMs: number,
): ReadonlyArray<readonly [name: string, value: string]> {
  return [
    ['HECATE_HEALTH_HOST', '0.0.0.0'],
    ['HECATE_HEALTH_PORT', String(values.healthPort)],
    ['HECATE_SECRETS_DIR', values.secretsDir],
    ['HECATE_STATE_DIR', values.stateDir],
    ['HECATE_LOG_LEVEL', DEPLOYED_LOG_LEVEL],
    ['HECATE_HEALTH_TIMEOUT_MS', String(HEALTH_TIMEOUT_MS)],
    ['HECATE_SHUTDOWN_TIMEOUT_MS', String(shutdownTimeoutMs)],
  ];
}
