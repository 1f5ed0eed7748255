import { get } from 'node:http';

/** The exit codes of `--healthcheck`, as container HEALTHCHECK and Quadlet HealthCmd read them. */
export const HEALTHCHECK_EXIT = { healthy: 0, unhealthy: 1, unreachable: 2 } as const;

export type HealthcheckExitCode = (typeof HEALTHCHECK_EXIT)[keyof typeof HEALTHCHECK_EXIT];

export interface HealthcheckResult {
  readonly code: HealthcheckExitCode;
  /** One line saying what was found, for the container engine's health log. */
  readonly summary: string;
}

/** A wildcard listen address is not an address to connect to: probe loopback instead. */
export function probeHostFor(listenHost: string): string {
  if (listenHost === '0.0.0.0') return '127.0.0.1';
  if (listenHost === '::') return '::1';
  return listenHost;
}

/** Asks the running service's `/health/ready`; never rejects and never outlives `timeoutMs`. */
export function probeReadiness(host: string, port: number, timeoutMs: number): Promise<HealthcheckResult> {
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/health/ready`;
  return new Promise((resolve) => {
    const request = get(url, { agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', () => resolve({ code: HEALTHCHECK_EXIT.unreachable, summary: `unreachable: ${url} broke off its answer` }));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve(
          response.statusCode === 200
            ? { code: HEALTHCHECK_EXIT.healthy, summary: `ready: ${url} answered 200` }
            : { code: HEALTHCHECK_EXIT.unhealthy, summary: `not ready: ${url} answered ${response.statusCode} ${body}` },
        );
      });
    });
    // A deadline on the whole exchange: a socket timeout would let a trickling answer run on.
    const deadline = setTimeout(() => request.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('error', (error) => resolve({ code: HEALTHCHECK_EXIT.unreachable, summary: `unreachable: ${url}: ${error.message}` }));
  });
}
