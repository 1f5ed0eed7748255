import { Flags } from '@oclif/core';
import { RUNTIME_SETTINGS, withoutUrlCredentials } from '@hecate-om/contract/rules';
import type { Problem } from '../hecate-command.js';

/** The NATS server a local nats-server listens on by default. */
const DEFAULT_SERVER = 'nats://127.0.0.1:4222';

/** `--server`, or HECATE_MESH_URL as a service reads it: the same rule, the same message. */
export const serverFlag = Flags.string({
  env: RUNTIME_SETTINGS.meshUrls.variable,
  default: DEFAULT_SERVER,
  description: `The NATS servers of the mesh, nats://host:port, comma-separated (as ${RUNTIME_SETTINGS.meshUrls.variable}).`,
});

export type ParsedServers = { readonly ok: true; readonly urls: readonly string[] } | { readonly ok: false; readonly problem: Problem };

export function parseServers(value: string): ParsedServers {
  const urls = RUNTIME_SETTINGS.meshUrls.parse(value);
  if (urls === undefined || urls.length === 0)
    return { ok: false, problem: { flag: '--server', message: `"${withoutUrlCredentials(value)}" ${RUNTIME_SETTINGS.meshUrls.problem}`, hint: `for example --server ${DEFAULT_SERVER}` } };
  return { ok: true, urls };
}
