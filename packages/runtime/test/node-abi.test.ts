import { describe, expect, it } from 'vitest';
import { nodeAbiMismatch } from '../src/node-abi.js';

const NODE_24 = { node: 'v24.11.1', modules: '137' };

describe('nodeAbiMismatch', () => {
  it('names the Node the addons were built for, the running one, and both ways out', () => {
    expect(nodeAbiMismatch({ os: 'linux', cpu: 'x64', libc: 'glibc', nodeAbi: [115], nodeMajors: [20] }, NODE_24)).toBe(
      'this release ships native addons built for Node 20 (ABI 115), and this is Node 24.11.1 (ABI 137), which cannot load them: run it on Node 20, or build it again with its dependencies installed under Node 24',
    );
  });

  it('names only the ABI when the build did not know its Node', () => {
    expect(nodeAbiMismatch({ os: 'linux', cpu: 'x64', nodeAbi: [999], nodeMajors: [] }, NODE_24)).toBe(
      'this release ships native addons built for a Node of ABI 999, and this is Node 24.11.1 (ABI 137), which cannot load them: run it on that Node, or build it again with its dependencies installed under Node 24',
    );
  });

  it('passes a Node of one of the ABIs, Node-API addons, and a release without native code', () => {
    expect(nodeAbiMismatch({ os: 'linux', cpu: 'x64', nodeAbi: [127, 137], nodeMajors: [22, 24] }, NODE_24)).toBeUndefined();
    expect(nodeAbiMismatch({ os: 'linux', cpu: 'x64', libc: 'glibc' }, NODE_24)).toBeUndefined();
    expect(nodeAbiMismatch(undefined, NODE_24)).toBeUndefined();
  });
});
