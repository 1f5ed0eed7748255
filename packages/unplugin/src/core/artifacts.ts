import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CachedAnalysis } from './cache.js';
import type { ResolvedOptions } from './options.js';
import { type ReleaseBundle, manifestJson, releaseFiles } from './release-files.js';
import { createReleaseTarball, releaseTarballName } from './release-tarball.js';
import { renderContainerfile } from './render/containerfile.js';
import { quadletUnitFileName, renderQuadletUnit } from './render/quadlet-unit.js';
import { writeFileAtomic } from './write-file-atomic.js';

/** A file the plugin emits into the build's output directory. */
export interface Artifact {
  readonly fileName: string;
  readonly content: string | Uint8Array;
}

/**
 * Renders the artifacts of each build. The tarball is packed only when its content changed since
 * the last build (in this process or, through `cacheDir`, an earlier one): it is reproducible, so
 * the same files give the same bytes, and a rebuild that produced the same bundle costs a hash.
 */
export class ArtifactRenderer {
  #lastTarball: { readonly key: string; readonly bytes: Uint8Array } | undefined;
  #last: { readonly analysis: CachedAnalysis; readonly bundle: ReleaseBundle; readonly artifacts: Artifact[] } | undefined;

  /** Renders again only when the analysis or the bundle is a new one (watch mode reuses both). */
  /** `mtime` is every tarball entry's time, SOURCE_DATE_EPOCH as read once when the build was set up. */
  async render(analysis: CachedAnalysis, bundle: ReleaseBundle, options: ResolvedOptions, mtime: Date): Promise<Artifact[]> {
    if (this.#last?.analysis === analysis && this.#last.bundle === bundle) return this.#last.artifacts;
    const artifacts = await this.#render(analysis, bundle, options, mtime);
    this.#last = { analysis, bundle, artifacts };
    return artifacts;
  }

  async #render(analysis: CachedAnalysis, bundle: ReleaseBundle, options: ResolvedOptions, mtime: Date): Promise<Artifact[]> {
    const { manifest, ucanRequest } = analysis;
    const tarballName = releaseTarballName(manifest);
    const artifacts: Artifact[] = [
      { fileName: 'manifest.json', content: manifestJson(manifest) },
      { fileName: 'ucan-request.json', content: `${JSON.stringify(ucanRequest, null, 2)}\n` },
      { fileName: 'Containerfile', content: renderContainerfile(manifest, { baseImage: options.baseImage, tarballName }) },
      { fileName: quadletUnitFileName(manifest), content: renderQuadletUnit(manifest) },
    ];
    if (options.tarball) artifacts.push({ fileName: tarballName, content: await this.#tarball(analysis, bundle, options.cacheDir, mtime) });
    return artifacts;
  }

  async #tarball(analysis: CachedAnalysis, bundle: ReleaseBundle, cacheDir: string, mtime: Date): Promise<Uint8Array> {
    const files = releaseFiles(analysis.manifest, bundle);
    const hash = createHash('sha256').update(String(mtime.getTime()));
    for (const { path, content } of files) hash.update(`\0${path}\0${content.length}\0`).update(content);
    const key = hash.digest('hex');
    if (this.#lastTarball?.key === key) return this.#lastTarball.bytes;
    const cached = join(cacheDir, `release-${key.slice(0, 32)}.tar.gz`);
    let bytes = readIfPresent(cached);
    if (bytes === undefined) {
      bytes = await createReleaseTarball({ manifest: analysis.manifest, files, mtime });
      replaceCachedTarball(cacheDir, cached, bytes);
    }
    this.#lastTarball = { key, bytes };
    return bytes;
  }
}

function readIfPresent(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined; // not packed yet: the caller packs it
  }
}

/** Keeps one tarball in the cache: the latest. */
function replaceCachedTarball(cacheDir: string, path: string, bytes: Uint8Array): void {
  mkdirSync(cacheDir, { recursive: true });
  for (const name of readdirSync(cacheDir))
    if (name.startsWith('release-') && name.endsWith('.tar.gz')) rmSync(join(cacheDir, name), { force: true });
  writeFileAtomic(path, bytes);
}
