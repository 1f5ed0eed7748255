import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { UcanRequest } from '@hecate-om/contract';
import type { ResolvedOptions } from './options.js';
import { OUTPUTS_INDEX_FILE, outputsIndexJson } from './outputs-index.js';
import { type ReleaseContents, manifestJson, releaseOwnFiles } from './release-files.js';
import { createReleaseTarball, releaseTarballName } from './release-tarball.js';
import { renderContainerfile } from './render/containerfile.js';
import { quadletUnitFileName, renderQuadletUnit } from './render/quadlet-unit.js';
import { TarballCache } from './tarball-cache.js';

/** A file the plugin emits into the build's output directory. */
export interface Artifact {
  readonly fileName: string;
  readonly content: string | Uint8Array;
}

/**
 * Renders the artifacts of each build. The tarball is packed only when its content changed since
 * the last build (in this process or, through `cacheDir`, an earlier one): it is reproducible, so
 * the same files give the same bytes, and a rebuild that produced the same bundle costs a hash of
 * the bundle and of the shipped files' digests.
 * The last artifact is the outputs index, which names the others (see outputs-index.ts).
 */
export class ArtifactRenderer {
  #lastTarball: { readonly key: string; readonly bytes: Uint8Array } | undefined;
  #last: { readonly contents: ReleaseContents; readonly artifacts: Artifact[] } | undefined;

  /**
   * Renders again only when the contents are new ones (watch mode reuses them when nothing changed).
   * `mtime` is every tarball entry's time, SOURCE_DATE_EPOCH as read once when the build was set up.
   */
  async render(contents: ReleaseContents, ucanRequest: UcanRequest, options: ResolvedOptions, mtime: Date): Promise<Artifact[]> {
    const last = this.#last;
    if (last !== undefined && sameContents(last.contents, contents)) return last.artifacts;
    const artifacts = await this.#render(contents, ucanRequest, options, mtime);
    this.#last = { contents, artifacts };
    return artifacts;
  }

  async #render(contents: ReleaseContents, ucanRequest: UcanRequest, options: ResolvedOptions, mtime: Date): Promise<Artifact[]> {
    const { manifest } = contents;
    const tarballName = releaseTarballName(manifest);
    const artifacts: Artifact[] = [
      { fileName: 'manifest.json', content: manifestJson(manifest) },
      { fileName: 'ucan-request.json', content: `${JSON.stringify(ucanRequest, null, 2)}\n` },
      { fileName: 'Containerfile', content: renderContainerfile(manifest, { baseImage: options.baseImage, tarballName }) },
      { fileName: quadletUnitFileName(manifest), content: renderQuadletUnit(manifest) },
    ];
    if (options.tarball) artifacts.push({ fileName: tarballName, content: await this.#tarball(contents, options.cacheDir, mtime) });
    artifacts.push({ fileName: OUTPUTS_INDEX_FILE, content: outputsIndexJson(artifacts.map(({ fileName }) => fileName)) });
    return artifacts;
  }

  async #tarball(contents: ReleaseContents, cacheDir: string, mtime: Date): Promise<Uint8Array> {
    const own = releaseOwnFiles(contents);
    const shipped = contents.dependencies.files;
    const hash = createHash('sha256').update(String(mtime.getTime()));
    for (const { path, content } of own) hash.update(`\0${path}\0${content.length}\0`).update(content);
    // node_modules by the digests of its files: a warm build reads none of them (see FileDigests).
    for (const { path, sha256 } of shipped) hash.update(`\0${path}\0sha256:${sha256}`);
    const key = hash.digest('hex');
    if (this.#lastTarball?.key === key) return this.#lastTarball.bytes;
    const cache = new TarballCache(cacheDir);
    let bytes = cache.read(key);
    if (bytes === undefined) {
      const files = [...own, ...shipped.map(({ path, source }) => ({ path, content: readFileSync(source) }))];
      bytes = await createReleaseTarball({ manifest: contents.manifest, files, mtime });
      cache.write(key, bytes);
    }
    this.#lastTarball = { key, bytes };
    return bytes;
  }
}

function sameContents(a: ReleaseContents, b: ReleaseContents): boolean {
  return (
    a.bundle === b.bundle &&
    a.dependencies === b.dependencies &&
    a.serviceFiles === b.serviceFiles &&
    a.root === b.root &&
    JSON.stringify(a.manifest) === JSON.stringify(b.manifest)
  );
}
