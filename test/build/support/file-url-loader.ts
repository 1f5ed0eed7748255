import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';

/**
 * What esbuild's `file` loader does, for rollup, rolldown, vite and tsdown: a `.txt` import writes
 * the file beside the bundle as `<name>-<hash>.txt` and gives its path relative to the bundle
 * (`./banner-1be45174.txt`), so a service reads it with `new URL(path, import.meta.url)`. `pre`, so
 * that vite's own asset handling does not take the file first; `moduleType`, since rolldown would
 * read the module as text by its extension.
 */
export function fileUrlLoader() {
  return {
    name: 'test-file-url-loader',
    enforce: 'pre' as const,
    load(this: { emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): string }, id: string) {
      if (!id.endsWith('.txt')) return null;
      const source = readFileSync(id);
      const fileName = `${basename(id, extname(id))}-${createHash('sha256').update(source).digest('hex').slice(0, 8)}${extname(id)}`;
      this.emitFile({ type: 'asset', fileName, source });
      return { code: `export default ${JSON.stringify(`./${fileName}`)};`, moduleType: 'js' };
    },
  };
}
