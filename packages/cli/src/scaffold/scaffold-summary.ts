import type { ServiceNames } from './service-names.js';

/** What `hecate-om scaffold` tells a person once the repository is written: the names, then what to run. */
export function scaffoldSummary(names: ServiceNames, directory: string, fileCount: number, bold: (text: string) => string): string[] {
  const derived: ReadonlyArray<readonly [string, string]> = [
    ['package', names.packageName],
    ['contract class', `${names.className} (src/service.ts)`],
    ['image', `${names.imageRepository}:<version>`],
    ['Quadlet unit', `${names.quadletUnit} (systemd: ${names.systemdService})`],
    ['identity scope', names.scope],
    ['capabilities', `${names.capabilityPrefix}.<verb>`],
  ];
  return [
    `Created ${bold(names.name)} in ${directory} (${fileCount} files).`,
    '',
    ...derived.map(([what, value]) => `  ${what.padEnd(16)}${value}`),
    '',
    'Next:',
    `  cd ${directory}`,
    '  pnpm install && pnpm test && pnpm build',
  ];
}
