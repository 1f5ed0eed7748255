import { inject } from 'vitest';
import { podmanEnv, type PodmanHome } from './podman.js';

/** What the global setup made for every test file (see ../global-setup.ts). */
export interface DeploySetup {
  /** The run's own temporary directory; removed at the end. */
  readonly work: string;
  readonly podmanDir: string;
  /** The example's release: Containerfile, Quadlet unit, manifest.json, tarball. */
  readonly releaseDir: string;
  readonly manifest: { readonly name: string; readonly version: string; readonly image: string; readonly description: string; readonly license: string; readonly health: { readonly port: number }; readonly paths: { readonly secrets: string; readonly state: string } };
  /** The Node version inside the stand-in base image. */
  readonly baseImageNodeVersion: string;
  /** The example's image (built from the generated Containerfile, tagged manifest.image), saved by `podman save`. */
  readonly imageArchive: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    deploy: DeploySetup;
  }
}

export function deploySetup(): DeploySetup & { readonly home: PodmanHome } {
  const setup = inject('deploy');
  return { ...setup, home: { dir: setup.podmanDir, env: podmanEnv(setup.podmanDir) } };
}
