// A loopback load generator, run as its own process so that it never shares the server's.
// argv[2]: JSON { warmup, requests, durationMs, targets: [{ port, path, concurrency }] }: every
// target is loaded at the same time, each by its own keep-alive agent.
// Prints JSON: per target { port, path, requests, statuses, rps, p50, p99, max } (latencies in ms).
import { Agent, request } from 'node:http';

const { warmup = 0, requests, durationMs, targets } = JSON.parse(process.argv[2]);

function get(agent, port, path) {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - startedAt }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - startedAt }));
    req.end();
  });
}

async function lane({ port, path, concurrency }, count, deadline) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const statuses = {};
  let issued = 0;
  const startedAt = performance.now();
  const worker = async () => {
    while (issued < count && performance.now() < deadline) {
      issued += 1;
      const { status, ms } = await get(agent, port, path);
      statuses[status] = (statuses[status] ?? 0) + 1;
      latencies.push(ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - startedAt;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { port, path, requests: latencies.length, statuses, rps: (latencies.length / elapsedMs) * 1000, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) };
}

if (warmup > 0) await Promise.all(targets.map((target) => lane(target, warmup, performance.now() + durationMs)));
const deadline = performance.now() + durationMs;
const results = await Promise.all(targets.map((target) => lane(target, requests, deadline)));
process.stdout.write(`${JSON.stringify(results)}\n`);
