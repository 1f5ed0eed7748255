// A mesh provider in a process of its own, for test/bench/mesh.mjs to SIGKILL and SIGSTOP: the
// runtime's mesh parts (from dist) serving echo.say on the NATS server given as argv[2]. Prints
// its instance id once advertised.
import { manifestOf, meshParts } from './parts.mjs';

const parts = await meshParts(process.argv[2], manifestOf('bench-echo'), (line) => {
  if (line.includes('mesh: advertised')) process.stdout.write(line);
});
parts.mesh.serve('echo.say', (payload) => payload);
await parts.connection.start();
await parts.advertisement.start();
parts.advertisement.ready();
await parts.connected();
