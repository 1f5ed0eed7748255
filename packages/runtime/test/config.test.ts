import { describe, expect, it } from 'vitest';
import { formatConfigProblem, resolveConfig } from '../src/config.js';
import { echoManifest } from './manifest-fixture.js';

const messagesFor = (env: Record<string, string>): string[] => {
  const result = resolveConfig(env, echoManifest);
  return result.ok ? [] : result.problems.map(formatConfigProblem);
};

const REALM_DID = 'did:key:z6MkvRK8nibeFncybSeabSGg16yww1aCZYfsVdUU4QMeS7Gk';

describe('resolveConfig', () => {
  it('fills every default from the documented values and the manifest', () => {
    expect(resolveConfig({}, echoManifest)).toEqual({
      ok: true,
      value: {
        healthHost: '127.0.0.1',
        healthPort: 8470,
        secretsDir: '/etc/hecate/secrets/hecate-echo',
        stateDir: '/var/lib/hecate/hecate-echo',
        logLevel: 'warn',
        healthTimeoutMs: 1000,
        shutdownTimeoutMs: 10000,
        realmUrl: null,
        realmDid: null,
        identityRequired: 'auto',
        revocationRefreshMs: 30000,
        meshUrls: [],
        meshAuthorization: 'on',
      },
      unknownVariables: [],
    });
  });

  it('takes every setting from the environment', () => {
    const result = resolveConfig(
      {
        HECATE_HEALTH_HOST: '0.0.0.0',
        HECATE_HEALTH_PORT: '0',
        HECATE_SECRETS_DIR: '/run/secrets/echo',
        HECATE_STATE_DIR: '/srv/echo',
        HECATE_LOG_LEVEL: 'debug',
        HECATE_HEALTH_TIMEOUT_MS: '250',
        HECATE_SHUTDOWN_TIMEOUT_MS: '250',
        HECATE_REALM_URL: 'https://realm.example.com/',
        HECATE_REALM_DID: REALM_DID,
        HECATE_IDENTITY_REQUIRED: 'false',
        HECATE_REVOCATION_REFRESH_MS: '5000',
        HECATE_MESH_URL: 'nats://127.0.0.1:4222, nats://nats-2.internal:4222',
        HECATE_MESH_AUTHORIZATION: 'on',
      },
      echoManifest,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        healthHost: '0.0.0.0',
        healthPort: 0,
        secretsDir: '/run/secrets/echo',
        stateDir: '/srv/echo',
        logLevel: 'debug',
        healthTimeoutMs: 250,
        shutdownTimeoutMs: 250,
        realmUrl: 'https://realm.example.com',
        realmDid: REALM_DID,
        identityRequired: 'false',
        revocationRefreshMs: 5000,
        meshUrls: ['nats://127.0.0.1:4222', 'nats://nats-2.internal:4222'],
        meshAuthorization: 'on',
      },
      unknownVariables: [],
    });
  });

  it('turns mesh authorization off only without a realm, and refuses any other value', () => {
    const off = resolveConfig({ HECATE_MESH_AUTHORIZATION: 'off' }, echoManifest);
    expect(off.ok && off.value.meshAuthorization).toBe('off');
    expect(messagesFor({ HECATE_MESH_AUTHORIZATION: 'off', HECATE_REALM_DID: REALM_DID })).toEqual([
      'HECATE_MESH_AUTHORIZATION is "off": is refused while a realm is configured (HECATE_REALM_DID): calls are authorized as in production with any realm, the development one included; off is for local experiments without one',
    ]);
    expect(messagesFor({ HECATE_MESH_AUTHORIZATION: 'false' })).toEqual(['HECATE_MESH_AUTHORIZATION is "false": must be one of on, off']);
  });

  it('reads an empty HECATE_MESH_URL as standalone and refuses anything but nats://host:port URLs', () => {
    const empty = resolveConfig({ HECATE_MESH_URL: '' }, echoManifest);
    expect(empty.ok && empty.value.meshUrls).toEqual([]);
    const problem =
      'must be one or more nats://host:port URLs separated by commas, without credentials (those go in <HECATE_SECRETS_DIR>/nats.creds or nats.nk), or empty for a standalone service';
    for (const text of ['http://127.0.0.1:4222', 'nats://127.0.0.1', 'nats://127.0.0.1:4222,'])
      expect(messagesFor({ HECATE_MESH_URL: text })).toEqual([`HECATE_MESH_URL is ${JSON.stringify(text)}: ${problem}`]);
  });

  it('quotes a refused HECATE_MESH_URL with the credentials of each URL masked', () => {
    expect(messagesFor({ HECATE_MESH_URL: 'nats://user:pw@127.0.0.1:4222,nats://s3cr3t-token@10.0.0.2:4222' })).toEqual([
      expect.stringMatching(/^HECATE_MESH_URL is "nats:\/\/\*\*\*@127\.0\.0\.1:4222,nats:\/\/\*\*\*@10\.0\.0\.2:4222": must be one or more/),
    ]);
  });

  it('accepts IPv6 addresses and host names', () => {
    for (const host of ['::', '::1', 'localhost', 'health.internal', 'pod-1.svc.cluster.local']) {
      const result = resolveConfig({ HECATE_HEALTH_HOST: host }, echoManifest);
      expect(result.ok && result.value.healthHost).toBe(host);
    }
  });

  it('refuses a realm URL that is not plain http(s), a DID that is not an Ed25519 did:key, and an unknown requirement', () => {
    expect(messagesFor({ HECATE_REALM_URL: 'ftp://realm.example.com', HECATE_REALM_DID: 'did:web:realm.example.com', HECATE_IDENTITY_REQUIRED: 'yes' })).toEqual([
      'HECATE_REALM_URL is "ftp://realm.example.com": must be an http:// or https:// URL with no credentials, query or fragment (https://realm.example.com), or empty for no realm',
      "HECATE_REALM_DID is \"did:web:realm.example.com\": must be the realm's Ed25519 did:key (did:key:z6Mk…, as the realm's GET /api/v1/realm shows it), or empty for no realm",
      'HECATE_IDENTITY_REQUIRED is "yes": must be one of auto, true, false',
    ]);
    expect(messagesFor({ HECATE_REALM_URL: 'https://user:secret@realm.example.com', HECATE_REALM_DID: REALM_DID })).toHaveLength(1);
  });

  it('reads empty realm settings, as the Containerfile writes them, as no realm', () => {
    const result = resolveConfig({ HECATE_REALM_URL: '', HECATE_REALM_DID: '', HECATE_IDENTITY_REQUIRED: 'auto' }, echoManifest);
    expect(result.ok && [result.value.realmUrl, result.value.realmDid, result.value.identityRequired]).toEqual([null, null, 'auto']);
  });

  it('refuses a realm URL with no pinned DID, and an identity required with no realm to grant it', () => {
    expect(messagesFor({ HECATE_REALM_URL: 'https://realm.example.com' })).toEqual([
      'HECATE_REALM_URL is "https://realm.example.com": needs HECATE_REALM_DID, the realm\'s DID pinned out of band: a credential is never trusted from whoever answers at the URL',
    ]);
    expect(messagesFor({ HECATE_IDENTITY_REQUIRED: 'true' })).toEqual([
      'HECATE_IDENTITY_REQUIRED is "true": needs a realm (HECATE_REALM_DID, and HECATE_REALM_URL to claim): with none, no credential could ever make this service ready',
    ]);
  });

  it('names the variable and the value of every bad setting at once', () => {
    expect(
      messagesFor({
        HECATE_HEALTH_HOST: 'http://0.0.0.0',
        HECATE_HEALTH_PORT: '80a',
        HECATE_SECRETS_DIR: 'secrets',
        HECATE_STATE_DIR: '',
        HECATE_LOG_LEVEL: 'WARN',
        HECATE_HEALTH_TIMEOUT_MS: '0',
        HECATE_SHUTDOWN_TIMEOUT_MS: '-5',
      }),
    ).toEqual([
      'HECATE_HEALTH_HOST is "http://0.0.0.0": must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name whose last label is not a number (0 or 127.1 would be read as an abbreviated IPv4 address); unset it for 127.0.0.1',
      'HECATE_HEALTH_PORT is "80a": must be a whole number from 1 to 65535, or 0 to pick a free port',
      'HECATE_SECRETS_DIR is "secrets": must be an absolute path of letters, digits, ., _ and - (such as /var/lib/hecate/echo): a relative one would depend on the working directory',
      'HECATE_STATE_DIR is "": must be an absolute path of letters, digits, ., _ and - (such as /var/lib/hecate/echo): a relative one would depend on the working directory',
      'HECATE_LOG_LEVEL is "WARN": must be one of debug, info, warn, error, silent',
      'HECATE_HEALTH_TIMEOUT_MS is "0": must be a whole number of milliseconds from 1 to 2147483647',
      'HECATE_SHUTDOWN_TIMEOUT_MS is "-5": must be a whole number of milliseconds from 1 to 2147483647',
    ]);
  });

  it('refuses ports out of range, empty hosts and hosts with spaces', () => {
    expect(messagesFor({ HECATE_HEALTH_PORT: '65536' })).toEqual([
      'HECATE_HEALTH_PORT is "65536": must be a whole number from 1 to 65535, or 0 to pick a free port',
    ]);
    expect(messagesFor({ HECATE_HEALTH_PORT: ' 8470' })).toHaveLength(1);
    expect(messagesFor({ HECATE_HEALTH_HOST: '' })).toHaveLength(1);
    expect(messagesFor({ HECATE_HEALTH_HOST: 'my host' })).toHaveLength(1);
    expect(messagesFor({ HECATE_HEALTH_HOST: '-bad.example' })).toHaveLength(1);
  });

  it('refuses a host that the resolver would read as an abbreviated IPv4 address, such as 0 for every interface', () => {
    for (const host of ['0', '127.1', '10.0.1', '0x7f000001', '0X7F.1', 'health.0', '1.2.3.4.5'])
      expect(messagesFor({ HECATE_HEALTH_HOST: host }), host).toEqual([
        `HECATE_HEALTH_HOST is ${JSON.stringify(host)}: must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name whose last label is not a number (0 or 127.1 would be read as an abbreviated IPv4 address); unset it for 127.0.0.1`,
      ]);
    for (const host of ['1password.example', 'pod-0.svc', '0x.example', 'ip-10-0-0-1.internal']) expect(messagesFor({ HECATE_HEALTH_HOST: host }), host).toEqual([]);
  });

  it('refuses a timeout so long that a timer would fire at once', () => {
    expect(messagesFor({ HECATE_SHUTDOWN_TIMEOUT_MS: '2147483648' })).toEqual([
      'HECATE_SHUTDOWN_TIMEOUT_MS is "2147483648": must be a whole number of milliseconds from 1 to 2147483647',
    ]);
  });

  it('refuses a shutdown deadline shorter than the health timeout, blaming the variable that was set', () => {
    expect(messagesFor({ HECATE_HEALTH_TIMEOUT_MS: '5000', HECATE_SHUTDOWN_TIMEOUT_MS: '4000' })).toEqual([
      'HECATE_SHUTDOWN_TIMEOUT_MS is "4000": must be at least HECATE_HEALTH_TIMEOUT_MS (5000): the drain waits for a health() call in flight',
    ]);
    expect(messagesFor({ HECATE_HEALTH_TIMEOUT_MS: '20000' })).toEqual([
      'HECATE_HEALTH_TIMEOUT_MS is "20000": must not exceed HECATE_SHUTDOWN_TIMEOUT_MS (default 10000): the drain waits for a health() call in flight',
    ]);
  });

  it('lists HECATE_ variables it does not read, so a misspelt one is not silently ignored', () => {
    const result = resolveConfig({ HECATE_HEALTH_PROT: '9000', HECATE_LOG_LEVEL: 'info', PATH: '/bin' }, echoManifest);
    expect(result.ok && result.unknownVariables).toEqual(['HECATE_HEALTH_PROT']);
  });
});
