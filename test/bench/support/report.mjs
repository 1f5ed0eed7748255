import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Prints one benchmark's result: { title, rows: [{ measure, value, budget?, ok? }] } as a table,
 * anything else as it is. Returns false when a row is over its budget (ok === false).
 */
export function printResult(name, result) {
  console.log(`\n## ${name}`);
  if (!(result && Array.isArray(result.rows))) {
    console.dir(result, { depth: null });
    return true;
  }
  console.log(result.title);
  console.table(result.rows);
  return !result.rows.some((row) => row.ok === false);
}

/**
 * Runs a benchmark module's default export and prints it when the module is the program
 * (`node test/bench/plugin-build.mjs`); imported by run.mjs, it does nothing.
 */
export async function runWhenMain(moduleUrl, bench) {
  if (process.argv[1] === undefined || pathToFileURL(resolve(process.argv[1])).href !== moduleUrl) return;
  const name = moduleUrl.slice(moduleUrl.lastIndexOf('/') + 1);
  if (!printResult(name, await bench())) {
    console.log('\nSome results are over budget.');
    process.exitCode = 1;
  }
}
