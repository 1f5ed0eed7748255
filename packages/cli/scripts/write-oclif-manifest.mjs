// Writes oclif.manifest.json: the commands' ids, flags and args, so that oclif finds a command
// without importing every command module at start-up (what `oclif manifest` does, without the
// oclif CLI and its dependencies). Runs after tsc, from the package directory.
import { writeFile } from 'node:fs/promises';
import { Plugin } from '@oclif/core';

const root = new URL('..', import.meta.url);
const plugin = new Plugin({ root: root.pathname, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
await writeFile(new URL('oclif.manifest.json', root), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
