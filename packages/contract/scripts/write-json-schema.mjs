// Writes dist/manifest.schema.json from the compiled zod schema: the schema is never written by hand.
import { rename, writeFile } from 'node:fs/promises';
import { manifestJsonSchema } from '../dist/index.js';

const target = new URL('../dist/manifest.schema.json', import.meta.url);
const temporary = new URL(`../dist/.manifest.schema.json.${process.pid}`, import.meta.url);
await writeFile(temporary, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
await rename(temporary, target);
