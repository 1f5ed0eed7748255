import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';

/**
 * A NATS trust chain as `nsc` makes one (operator, account, users), for a nats-server in
 * operator/JWT mode: the server's configuration file trusts the operator and preloads the
 * account (resolver MEMORY), and `credsFor` makes a user's `.creds` file (its JWT and nkey seed).
 */
export interface NatsOperator {
  /** The configuration file to start nats-server with (`-c`). */
  readonly config: string;
  /** A `.creds` file's text for a new user of the preloaded account. */
  credsFor(name: string): Promise<string>;
  /** A `.creds` file's text for a user of an account the server does not know: it is refused. */
  strangerCreds(name: string): Promise<string>;
}

/** Unlimited, where an account JWT's limits default to none allowed. */
const UNLIMITED = { conn: -1, subs: -1, data: -1, payload: -1, imports: -1, exports: -1, leaf: -1, wildcards: true };

export async function makeNatsOperator(dir: string): Promise<NatsOperator> {
  const operator = createOperator();
  const system = createAccount();
  const account = createAccount();
  const operatorJwt = await encodeOperator('hecate-test', operator, { system_account: system.getPublicKey() });
  const systemJwt = await encodeAccount('SYS', system, { limits: UNLIMITED }, { signer: operator });
  const accountJwt = await encodeAccount('mesh', account, { limits: UNLIMITED }, { signer: operator });
  const config = join(dir, 'operator.conf');
  await writeFile(
    config,
    [
      `operator: ${operatorJwt}`,
      `system_account: ${system.getPublicKey()}`,
      'resolver: MEMORY',
      'resolver_preload: {',
      `  ${system.getPublicKey()}: ${systemJwt}`,
      `  ${account.getPublicKey()}: ${accountJwt}`,
      '}',
      '',
    ].join('\n'),
  );
  const creds = async (name: string, issuer: ReturnType<typeof createAccount>): Promise<string> => {
    const user = createUser();
    return new TextDecoder().decode(fmtCreds(await encodeUser(name, user, issuer), user));
  };
  return { config, credsFor: (name) => creds(name, account), strangerCreds: (name) => creds(name, createAccount()) };
}
