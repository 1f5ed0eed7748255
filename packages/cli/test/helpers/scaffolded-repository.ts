// What a scaffold writes, stated once for the unit tests of the templates and the end-to-end tests of
// the command (source, packed binary), so a new template changes one list.

/** Every directory and file of a scaffolded repository, relative and sorted, as treeOf lists them. */
export const SCAFFOLDED_TREE: readonly string[] = [
  '.github/',
  '.github/workflows/',
  '.github/workflows/ci.yml',
  '.gitignore',
  'CHANGELOG.md',
  'DEPLOY.md',
  'LICENSE',
  'README.md',
  'build.mjs',
  'package.json',
  'pnpm-workspace.yaml',
  'src/',
  'src/service.ts',
  'test/',
  'test/service.test.ts',
  'tsconfig.json',
];

/** The files alone, in the same order: what the templates render. */
export const SCAFFOLDED_FILES: readonly string[] = SCAFFOLDED_TREE.filter((path) => !path.endsWith('/'));

/** Every name derived for `hecate-billing` under the org `acme` and the registry `registry.example.com:5000`. */
export const HECATE_BILLING_NAMES = {
  name: 'hecate-billing',
  packageName: '@acme/hecate-billing',
  imageRepository: 'registry.example.com:5000/acme/hecate-billing',
  quadletUnit: 'hecate-billing.container',
  systemdService: 'hecate-billing.service',
  scope: 'hecate-billing',
  capabilityPrefix: 'hecate_billing',
  className: 'HecateBillingService',
} as const;
