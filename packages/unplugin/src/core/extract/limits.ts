/**
 * The bounds of the contract reader, so that no input can make a build hang, overflow the stack or
 * fill the memory: each is far above what a real contract needs, and going past one is a located
 * diagnostic (`over-limit`), found within seconds. The README lists them; the fuzz test keeps them.
 * The contract's own limits on what the values hold (at most 256 capabilities, 64 actions, 64
 * resources) are rules in `@hecate-om/contract`.
 */
export const LIMITS = {
  /** Bytes of one source file the reader parses (esbuild would bundle more, but a contract is small). */
  sourceBytes: 1024 * 1024,
  /** Files one analysis parses: the service module, package.json, and the modules its values come from. */
  files: 256,
  /**
   * Nesting of what the reader follows to evaluate one value: literals inside literals, consts,
   * imports and re-exports, each counting one.
   */
  depth: 64,
  /**
   * Parts of the contract's values (each literal, array and object counts one, wherever it is
   * repeated: `[...L, ...L]` counts L twice), so that a const used twice per level cannot double.
   */
  values: 10_000,
  /** Diagnostics one analysis reports; the rest are counted in one last diagnostic. */
  diagnostics: 50,
  /** Characters of a source line a diagnostic carries. */
  lineTextLength: 240,
} as const;
