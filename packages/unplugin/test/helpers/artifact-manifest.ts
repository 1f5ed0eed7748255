import { deriveManifest, type Manifest } from '@hecate-om/contract';

/**
 * A valid manifest, as the plugin derives it, with some fields replaced. The renderers are pure
 * functions of the manifest, so their tests build it here; hostile overrides deliberately bypass
 * parseManifest() to prove that the renderers defend themselves.
 */
export function artifactManifest(overrides: Partial<Manifest> = {}): Manifest {
  const manifest = deriveManifest(
    {
      info: { name: 'hecate-echo', version: '1.2.3', description: 'Echoes over the mesh' },
      capabilities: [{ name: 'echo.say', version: 1 }],
      identitySpec: { scope: 'echo', actions: ['answer_query'], resources: ['echo/*'], ttlDays: 30 },
    },
    {
      imageRepository: 'ghcr.io/hecate-om',
      license: 'Apache-2.0',
      source: 'https://github.com/hecate-om/hecate-echo',
      runtimeVersion: '0.1.0',
    },
  );
  return { ...manifest, ...overrides };
}

/** Descriptions that are valid by the contract's rules and would break a naive renderer. */
export const HOSTILE_VALID_DESCRIPTIONS: readonly string[] = [
  'say "hello" \\" to "everyone"',
  'back\\slash \\\\ and \\n escape',
  'home is $HOME and ${x} and $(id) and `id`',
  'specifiers %h %n %% %i 100%',
  '[Service] ExecStart=/bin/sh -c "rm -rf /" ; # not a comment',
  "quote ' single and # hash and ; semicolon",
  'ünïcödé ✓ 🚀 and a tab-free\u00a0nbsp',
  'x'.repeat(200),
  '"\\$%'.repeat(50),
];

/** Values that would start a new line, instruction or directive; each renderer must refuse them. */
export const LINE_BREAKING_DESCRIPTIONS: ReadonlyArray<readonly [label: string, value: string, codePoint: string, index: number]> = [
  ['a newline with a [Service] section', 'ok\n[Service]\nExecStart=/bin/sh', 'U+000A', 2],
  ['a carriage return', 'ok\rExecStart=/bin/sh', 'U+000D', 2],
  ['a line separator', 'ok\u2028RUN rm -rf /', 'U+2028', 2],
  ['a paragraph separator', 'ok\u2029x', 'U+2029', 2],
  ['a next-line control', 'ok\u0085x', 'U+0085', 2],
  ['a tab', 'a\tb', 'U+0009', 1],
  ['a NUL', 'a\u0000b', 'U+0000', 1],
];
