import { Flags, ux } from '@oclif/core';
import { HecateCommand, type Problem } from '../../hecate-command.js';
import { dataDirFlag } from '../../realm/data-dir.js';

export interface JoinTokenReport {
  /** The secret, shown this once: the realm keeps only its SHA-256. */
  readonly token: string;
  readonly service: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

export default class RealmJoinToken extends HecateCommand {
  static override summary = 'Create a one-time join token that enrolls one instance of a service.';

  static override description = `The token (hjt_ and 43 base64url characters) is printed this once: the realm stores only its SHA-256. Mount it as the instance's join-token secret; its first claim binds the instance's DID to the service and uses the token up. It expires after --ttl (at most 30 days). With --policy, a service the policy does not name, or whose policy does not accept join tokens, is refused now rather than at enrollment.

The data directory must be one a realm has started in (it holds realm.key). The realm may be running.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> --service hecate-echo',
    '<%= config.bin %> <%= command.id %> --service hecate-echo --ttl 2h --data-dir /var/lib/hecate-realm --policy /etc/hecate-realm/policy.json',
    '<%= config.bin %> <%= command.id %> --service hecate-echo --json',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    service: Flags.string({ char: 's', required: true, description: 'The service the token enrolls an instance of, as info().name gives it.' }),
    'data-dir': dataDirFlag('the token\'s hash is recorded under join-tokens/'),
    ttl: Flags.string({ default: '24h', description: 'How long the token stays usable: whole seconds, or a number with s, m, h or d (30m, 24h, 7d); at most 30 days.' }),
    policy: Flags.string({ description: 'The realm\'s policy file, to check the service against it.' }),
  };

  async run(): Promise<JoinTokenReport> {
    const { flags } = await this.parse(RealmJoinToken);
    const { parseDuration } = await import('../../token/duration.js');
    const { realmDataDirProblem } = await import('../../realm/data-dir.js');
    const { createJoinToken, JOIN_TOKEN_MAX_LIFETIME_SECONDS, readPolicyFile } = await import('@hecate-om/realm');
    const { policyFlagProblems } = await import('../../realm/policy-problems.js');
    const problems: Problem[] = [];
    const ttl = parseDuration(flags.ttl);
    if (!ttl.ok) problems.push({ flag: '--ttl', message: ttl.message });
    // Checked here, in the flag's own terms: the library's refusal names its option (lifetimeSeconds).
    else if (ttl.seconds < 1 || ttl.seconds > JOIN_TOKEN_MAX_LIFETIME_SECONDS)
      problems.push({ flag: '--ttl', message: `${JSON.stringify(flags.ttl)} is ${ttl.seconds} s: a join token lives from 1 s to 30 days (${JOIN_TOKEN_MAX_LIFETIME_SECONDS} s, 30d)` });
    const dataDir = await realmDataDirProblem(flags['data-dir']);
    if (dataDir !== undefined) problems.push(dataDir);
    const policy = flags.policy === undefined ? undefined : await readPolicyFile(flags.policy);
    if (policy?.ok === false) problems.push(...(await policyFlagProblems(policy.problems)));
    if (problems.length > 0 || !ttl.ok || policy?.ok === false) this.refuse('no join token was created:', problems);

    const created = await createJoinToken({ dataDir: flags['data-dir'], service: flags.service, lifetimeSeconds: ttl.seconds, policy: policy?.value });
    if (!created.ok) {
      const { error } = created;
      const flag = error.code.startsWith('DATA_FILE') ? '--data-dir' : '--service';
      this.refuse('no join token was created:', [{ flag, message: error.message }]);
    }
    const { token, service, expiresAt } = created.value;
    const { formatUnixSeconds } = await import('../../token/human-time.js');
    this.log(token);
    this.logToStderr(`${ux.colorize('dim', `enrolls one instance of ${service}; expires ${formatUnixSeconds(expiresAt)}; shown this once`)}`);
    return { token, service, expiresAt };
  }
}
