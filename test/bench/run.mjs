// Runs every benchmark module beside this file (each *.mjs but this one default-exports an async
// function; run alone, `node test/bench/<name>.mjs`, each runs and prints itself), one after
// another so they do not compete for the CPU, and prints their results.
// A module returns { title, rows: [{ measure, value, budget?, ok? }] }; a row with ok === false
// fails the run.
import { readdir } from 'node:fs/promises';
import { printResult } from './support/report.mjs';

const here = new URL('./', import.meta.url);
const modules = (await readdir(here)).filter((name) => name.endsWith('.mjs') && name !== 'run.mjs').sort();
const only = process.argv.slice(2);
let failed = false;
for (const name of modules) {
  if (only.length > 0 && !only.some((wanted) => name.includes(wanted))) continue;
  const { default: bench } = await import(new URL(name, here).href);
  if (!printResult(name, await bench())) failed = true;
}
if (failed) {
  console.log('\nSome results are over budget.');
  process.exitCode = 1;
}
