import { Args, Flags, ux } from '@oclif/core';
import type { MeshCallResult, MeshProvider } from '@hecate-om/contract';
import { RUNTIME_SETTINGS } from '@hecate-om/contract/rules';
import { HecateCommand, type Problem } from '../../hecate-command.js';
import { parseServers, serverFlag } from '../../mesh/servers-flag.js';

export type MeshCallReport = MeshCallResult;

export default class MeshCall extends HecateCommand {
  static override summary = 'Call a capability on the mesh with a JSON payload.';

  static override description = `Finds the providers of the capability on the server (one INFO sweep), calls one addressed to its instance as a service does, and prints the answer. It fails over to another provider when one is gone and, with --idempotent, when one times out. A failure prints its stable code: no_providers, timeout, unauthorized (with its reason), handler_error or payload_too_large, and the provider the failing attempt went to (service, version, instance, DID).

With --credential and --key, each attempt carries a one-time invocation signed by the key, addressed to the instance called and resting on the credential, as a service's calls do; without them it carries none, which a provider with authorization on refuses (unauthorized, missing). A key that is not the credential's audience, a credential not valid now or not granting mesh/call on that capability, and with --realm-did a credential that does not verify to that realm are refused before anything is sent.

Exit codes: 0 the call answered; 1 it failed (the code says why) or the server cannot be reached; 2 the command line is wrong (a payload that is not JSON, a bad --server, a credential or key refused).`;

  static override examples = [
    `<%= config.bin %> <%= command.id %> echo.say '{"text":"hello"}' --credential ops.jwt --key ops.key`,
    `<%= config.bin %> <%= command.id %> billing.charge '{"cents":120}' --credential ops.jwt --key ops.key --realm-did "$HECATE_REALM_DID" --min-version 2 --timeout 2000 --json`,
  ];

  static override enableJsonFlag = true;

  static override args = {
    capability: Args.string({ required: true, description: 'The capability to call, such as echo.say.' }),
    payload: Args.string({ required: true, description: 'The payload, as JSON.' }),
  };

  static override flags = {
    server: serverFlag,
    timeout: Flags.integer({ min: 1, max: 600_000, default: 5000, description: 'How long each attempt waits for an answer, in milliseconds.' }),
    'min-version': Flags.integer({ min: 1, default: 1, description: 'The lowest capability version that will do.' }),
    idempotent: Flags.boolean({ default: false, description: 'The call is safe to run twice: a timed-out attempt goes on to another provider.' }),
    credential: Flags.string({ description: 'A file holding the credential (a UCAN JWT) the realm granted the caller: mesh/call on this capability. Needs --key.' }),
    key: Flags.string({ description: "A file holding the caller's Ed25519 key (PKCS#8 PEM): the credential's audience. Needs --credential." }),
    'realm-did': Flags.string({
      env: RUNTIME_SETTINGS.realmDid.variable,
      description: `The realm the credential must verify to, checked before calling (as ${RUNTIME_SETTINGS.realmDid.variable}). [default: not checked]`,
    }),
  };

  async run(): Promise<MeshCallReport> {
    const { args, flags } = await this.parse(MeshCall);
    const problems: Problem[] = [];
    const servers = parseServers(flags.server);
    if (!servers.ok) problems.push(servers.problem);
    let payload: unknown;
    try {
      payload = JSON.parse(args.payload);
    } catch (error) {
      problems.push({ flag: 'PAYLOAD', message: `is not JSON: ${(error as Error).message}`, hint: `quote it for the shell: '{"text":"hello"}'` });
    }
    const { readCallerIdentity } = await import('../../mesh/caller-identity.js');
    const identity = await readCallerIdentity({
      credential: flags.credential,
      key: flags.key,
      realmDid: flags['realm-did'] === '' ? undefined : flags['realm-did'],
      capability: args.capability,
      now: Math.floor(Date.now() / 1000),
    });
    if (!identity.ok) problems.push(...identity.problems);
    if (problems.length > 0 || !servers.ok || !identity.ok) this.refuse('nothing was called:', problems);
    const { createInvocationAuthorization, openMeshClient } = await import('@hecate-om/runtime');
    const caller = identity.identity;
    const authorization =
      caller === undefined
        ? undefined
        : createInvocationAuthorization({
            setting: 'on',
            identity: () => ({ key: caller.key, realmDid: caller.realmDid, credential: () => caller.credential, revoked: () => NONE_REVOKED }),
            log: SAYS_NOTHING,
          });
    const opened = await openMeshClient({ urls: servers.urls, ...(authorization === undefined ? {} : { authorization }) });
    if (!opened.ok) return this.fail([], opened.message, { ok: false, error: { code: 'no_providers', message: opened.message } });
    try {
      const result = await opened.client.call(args.capability, payload, { timeout: flags.timeout, minVersion: flags['min-version'], idempotent: flags.idempotent });
      if (!result.ok) {
        const { code, reason, provider } = result.error;
        // On a mesh whose instances differ (one refusing, another not), the operator must know which one failed.
        return this.fail([result.error.message], `the call failed: ${code}${reason === undefined ? '' : ` (${reason})`}${provider === undefined ? '' : ` at ${providerOf(provider)}`}`, result);
      }
      this.logToStderr(ux.colorize('dim', `answered by ${providerOf(result.provider)}`));
      this.log(JSON.stringify(result.value, null, 2));
      return result;
    } finally {
      await opened.client.close();
    }
  }
}

/** `<service>@<version> <instance>`, and its DID when it has one: how an answer or a failure names its provider. */
function providerOf(provider: MeshProvider): string {
  return `${provider.service}@${provider.serviceVersion} ${provider.instance}${provider.did === '' ? '' : ` ${provider.did}`}`;
}

/** A caller checks no revocations: the provider does, against the realm's list. */
const NONE_REVOKED: ReadonlySet<string> = new Set();

/**
 * The invocation authorization logs only when it is off or has no identity, and `mesh call` builds
 * it with an identity and on; its refusals come back as values, which the command prints.
 */
const SAYS_NOTHING = { debug() {}, info() {}, warn() {}, error() {}, fatal() {} };
