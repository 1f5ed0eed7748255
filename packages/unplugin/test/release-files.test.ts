import { describe, expect, it } from 'vitest';
import { linkingSourceMap } from '../src/core/release-files.js';

describe('linkingSourceMap', () => {
  it('links main.js.map from a bundle that does not name its map, as tsup does when it writes dist/', () => {
    expect(linkingSourceMap('run();')).toBe('run();\n//# sourceMappingURL=main.js.map');
    expect(linkingSourceMap(new TextEncoder().encode('run();\n'))).toBe('run();\n//# sourceMappingURL=main.js.map');
  });

  it('leaves a bundle that already names a map as it is, byte for byte', () => {
    const linked = new TextEncoder().encode('run();\n//# sourceMappingURL=main.js.map\n');
    expect(linkingSourceMap(linked)).toBe(linked);
    expect(linkingSourceMap('run();\n//@ sourceMappingURL=main.js.map')).toBe('run();\n//@ sourceMappingURL=main.js.map');
  });
});
