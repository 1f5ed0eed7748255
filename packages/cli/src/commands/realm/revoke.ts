import { Args, ux } from '@oclif/core';
import type { RevocationRecord } from '@hecate-om/realm';
import { HecateCommand } from '../../hecate-command.js';
import { dataDirFlag } from '../../realm/data-dir.js';

export interface RevokeReport {
  readonly revocation: RevocationRecord;
  /** The CID was revoked before: the first record is kept. */
  readonly alreadyRevoked: boolean;
}

export default class RealmRevoke extends HecateCommand {
  static override summary = 'Revoke a credential, or any token the realm roots, by its CID.';

  static override description = `Signs a UCAN 0.10 revocation (REVOKE:<cid>) with the realm's key and records it under revocations/; the realm lists it at GET /api/v1/revocations from its next answer on, running or not, and services refuse the token once they refresh the list. Revocations are irreversible; revoking a CID twice keeps the first record. A revoked instance stays enrolled and may claim a new credential: to cut it off, also remove its DID from the policy or its file under enrollments/.

token inspect prints a token's CID; the realm logs the CID of every credential it grants.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> bafkreickm6w23xk6oinnvq6r55pbgh24suiwy4akp6kjbhtsbipivtlqhy',
    '<%= config.bin %> <%= command.id %> bafkreickm6w23xk6oinnvq6r55pbgh24suiwy4akp6kjbhtsbipivtlqhy --data-dir /var/lib/hecate-realm --json',
  ];

  static override enableJsonFlag = true;

  static override args = {
    cid: Args.string({ required: true, description: 'The token\'s canonical CID (bafkrei...).' }),
  };

  static override flags = {
    'data-dir': dataDirFlag('its key signs the revocation, recorded under revocations/'),
  };

  async run(): Promise<RevokeReport> {
    const { args, flags } = await this.parse(RealmRevoke);
    const { realmDataDirProblem } = await import('../../realm/data-dir.js');
    const { canonicalCidProblem } = await import('@hecate-om/ucan');
    const cidProblem = canonicalCidProblem(args.cid);
    const dataDir = await realmDataDirProblem(flags['data-dir']);
    const problems = [
      ...(cidProblem === undefined ? [] : [{ flag: 'CID', message: cidProblem, hint: 'token inspect prints a token\'s CID' }]),
      ...(dataDir === undefined ? [] : [dataDir]),
    ];
    if (problems.length > 0) this.refuse('nothing was revoked:', problems);

    const { revoke } = await import('@hecate-om/realm');
    const revoked = await revoke({ dataDir: flags['data-dir'], cid: args.cid });
    if (!revoked.ok) this.refuse('nothing was revoked:', [{ flag: revoked.error.code === 'INVALID_CID' ? 'CID' : '--data-dir', message: revoked.error.message }]);
    const { revocation, alreadyRevoked } = revoked.value;
    const { formatUnixSeconds } = await import('../../token/human-time.js');
    this.log(
      alreadyRevoked
        ? `${revocation.revoke} was already revoked at ${formatUnixSeconds(revocation.revokedAt)}`
        : `${ux.colorize('bold', 'revoked')} ${revocation.revoke} at ${formatUnixSeconds(revocation.revokedAt)}`,
    );
    return { revocation, alreadyRevoked };
  }
}
