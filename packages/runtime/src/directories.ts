import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { RuntimeConfig } from '@hecate-om/contract';
import { RUNTIME_SETTING_NAMES, RUNTIME_SETTINGS, type RuntimeSetting, type RuntimeVariable } from '@hecate-om/contract/rules';
import type { Environment } from './config.js';

/** A directory setting the runtime cannot use as it needs to. */
export interface DirectoryProblem {
  readonly variable: RuntimeVariable;
  /** The variable was set: the operator asked for this path. Unset, it is the default. */
  readonly explicit: boolean;
  /**
   * The boot stops: the operator set the path and the runtime needs it. A default (a release run
   * outside its container), or the secrets directory of a service without an identity, is only said.
   */
  readonly fatal: boolean;
  /** `HECATE_STATE_DIR is "/dev/null": is not a directory; ...`, ready to log. */
  readonly message: string;
}

const ACCESS_WORDS = { read: 'readable', 'read-write': 'readable and writable' } as const;

/** Why `path` is not a directory the process can use with `access`, or undefined when it is. */
async function directoryFault(path: string, need: 'read' | 'read-write'): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isDirectory()) return 'is not a directory';
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : message;
  }
  try {
    await access(path, need === 'read' ? constants.R_OK | constants.X_OK : constants.R_OK | constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    // The uid matters: images run as a non-root user, and a directory made by root is often 0700.
    return `is not ${ACCESS_WORDS[need]} by uid ${process.getuid?.() ?? '?'} (${(error as NodeJS.ErrnoException).code})`;
  }
}

/**
 * Checks every directory setting (RUNTIME_SETTINGS' `directory`) for what the runtime needs of it:
 * a directory, readable, and writable where it keeps state. A path that is wrong would otherwise boot
 * to ready and fail later, far from its cause. `hasIdentity`: a realm is configured, so the identity
 * part will read the directories it alone needs.
 */
export async function checkDirectories(config: RuntimeConfig, env: Environment, hasIdentity: boolean): Promise<DirectoryProblem[]> {
  const problems: DirectoryProblem[] = [];
  for (const name of RUNTIME_SETTING_NAMES) {
    const setting: RuntimeSetting<unknown> = RUNTIME_SETTINGS[name];
    if (setting.directory === undefined) continue;
    const path = String(config[name]);
    const fault = await directoryFault(path, setting.directory.access);
    if (fault === undefined) continue;
    const variable = setting.variable as RuntimeVariable;
    const explicit = env[variable] !== undefined;
    const what = explicit ? `${variable} is ${JSON.stringify(path)}` : `${path}, the default of ${variable},`;
    const unused = setting.directory.identityOnly === true && !hasIdentity;
    const message = `${what} ${fault}: it must be a ${ACCESS_WORDS[setting.directory.access]} directory, as ${setting.directory.why}`;
    problems.push({
      variable,
      explicit,
      fatal: explicit && !unused,
      message: explicit && unused ? `${message}; no realm is configured (HECATE_REALM_DID), so nothing reads it yet and the boot goes on` : message,
    });
  }
  return problems;
}
