import type { Manifest } from '@hecate-om/contract';

/** What the check reads of the running Node: `process.versions`. */
export interface RunningNode {
  readonly node: string;
  /** NODE_MODULE_VERSION, the ABI of addons compiled against V8. */
  readonly modules: string;
}

/**
 * Why the running Node cannot load the native addons the release ships, or undefined when it can
 * (or none is tied to an ABI: `platform.nodeAbi` is absent). Checked before the service is
 * constructed, so an operator reads which Node the release needs rather than `ERR_DLOPEN_FAILED`
 * from the first addon loaded.
 */
export function nodeAbiMismatch(platform: Manifest['platform'], running: RunningNode): string | undefined {
  const abis = platform?.nodeAbi;
  if (abis === undefined || abis.includes(Number(running.modules))) return undefined;
  const majors = platform?.nodeMajors ?? [];
  const wanted = majors.length > 0 ? `Node ${majors.join(' or ')} (ABI ${abis.join(' or ')})` : `a Node of ABI ${abis.join(' or ')}`;
  const major = running.node.replace(/^v/, '').split('.')[0];
  return (
    `this release ships native addons built for ${wanted}, and this is Node ${running.node.replace(/^v/, '')} (ABI ${running.modules}), ` +
    `which cannot load them: run it on ${majors.length > 0 ? `Node ${majors.join(' or ')}` : 'that Node'}, or build it again with its dependencies installed under Node ${major}`
  );
}
