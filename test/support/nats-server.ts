import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { natsServerBinary } from '../../scripts/nats-server-binary.mjs';

const START_DEADLINE_MS = 15_000;
const STOP_DEADLINE_MS = 5_000;

export interface NatsServer {
  /** `nats://127.0.0.1:<port>`, the client URL. */
  readonly url: string;
  readonly port: number;
  /** `nats://127.0.0.1:<port>` of its route listener, when it is part of a cluster. */
  readonly routeUrl: string | undefined;
  readonly process: ChildProcess;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  /** Join (or found) a cluster of this name, with routes on loopback. */
  readonly cluster?: string;
  /** Route URLs of servers already in the cluster. */
  readonly routes?: readonly string[];
  /** A fixed client port, to restart a server where its clients will reconnect; default: any free one. */
  readonly port?: number;
  /** A configuration file (`-c`), for what has no flag, such as users listed by nkey. */
  readonly config?: string;
}

/**
 * Starts a nats-server on loopback (a free client port unless one is given) and resolves once it
 * accepts clients (and, in a cluster with routes, once a route is up). Its log is kept for errors.
 */
export function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const args = [...(options.config === undefined ? [] : ['-c', options.config]), '-a', '127.0.0.1', '-p', String(options.port ?? -1)];
  if (options.cluster !== undefined) {
    args.push('--cluster_name', options.cluster, '--cluster', 'nats://127.0.0.1:-1');
    if (options.routes !== undefined && options.routes.length > 0) args.push('--routes', options.routes.join(','));
  }
  const child = spawn(natsServerBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const waitsForRoute = options.routes !== undefined && options.routes.length > 0;
  return new Promise((resolve, reject) => {
    let log = '';
    let port: number | undefined;
    let routeUrl: string | undefined;
    let routed = false;
    const fail = (why: string): void => {
      clearTimeout(deadline);
      child.kill('SIGKILL');
      reject(new Error(`nats-server ${args.join(' ')} ${why}; its log:\n${log}`));
    };
    const deadline = setTimeout(() => fail(`did not get ready within ${START_DEADLINE_MS} ms`), START_DEADLINE_MS);
    child.on('error', (error) => fail(`could not be spawned: ${error.message}`));
    child.on('exit', (code, signal) => {
      if (port === undefined || (options.cluster !== undefined && routeUrl === undefined)) fail(`exited (${signal ?? code}) before it was ready`);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      log += chunk;
      port ??= matchPort(log, /Listening for client connections on 127\.0\.0\.1:(\d+)/);
      const routePort = matchPort(log, /Listening for route connections on 127\.0\.0\.1:(\d+)/);
      if (routePort !== undefined) routeUrl = `nats://127.0.0.1:${routePort}`;
      routed ||= /Route connection created/.test(log);
      const ready = port !== undefined && /Server is ready/.test(log);
      const clustered = options.cluster === undefined || (routeUrl !== undefined && (!waitsForRoute || routed));
      if (ready && clustered && port !== undefined) {
        clearTimeout(deadline);
        resolve(running(child, port, routeUrl));
      }
    });
  });
}

function matchPort(log: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(log);
  return match === null ? undefined : Number(match[1]);
}

function running(child: ChildProcess, port: number, routeUrl: string | undefined): NatsServer {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    routeUrl,
    process: child,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Registers hooks that start one nats-server for the test file (beforeAll) and stop it after
 * (afterAll); `servers: 2` starts a two-server cluster with a route between them on loopback.
 * Call it at the top level of a test file; ask for the servers inside a test.
 */
export function useNatsServers(servers: 1 | 2 = 1): () => readonly NatsServer[] {
  const started: NatsServer[] = [];
  beforeAll(async () => {
    if (servers === 1) {
      started.push(await startNatsServer());
      return;
    }
    const cluster = `hecate-test-${process.pid}`;
    const seed = await startNatsServer({ cluster });
    started.push(seed);
    started.push(await startNatsServer({ cluster, routes: [seed.routeUrl ?? ''] }));
  });
  afterAll(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
  });
  return () => {
    if (started.length === 0) throw new Error('the nats-server is started in beforeAll: ask for it inside a test');
    return started;
  };
}
