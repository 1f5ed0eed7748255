import { Args, Flags, ux } from '@oclif/core';
import type { AuthorityEntry, IgnoredRevocation, UcanError } from '@hecate-om/ucan';
import { countOf, HecateCommand, type Problem } from '../../hecate-command.js';
import type { RevocationSourceResult } from '../../token/revocation-source.js';

export type TokenVerifyReport =
  | {
      readonly ok: true;
      readonly cid: string;
      readonly issuer: string;
      readonly audience: string;
      /** Unix seconds; `null` when the token never expires. */
      readonly expiresAt: number | null;
      /** What the chain proves the audience may do, each capability with the root it derives from. */
      readonly authority: readonly AuthorityEntry[];
      /** CIDs of the proofs the chain used. */
      readonly proofs: readonly string[];
      /** With --revocations: the entries that revoke nothing, at their JSON paths, and why. */
      readonly ignoredRevocations?: readonly IgnoredRevocation[];
    }
  | { readonly ok: false; readonly errors: readonly UcanError[]; readonly ignoredRevocations?: readonly IgnoredRevocation[] };

export default class TokenVerify extends HecateCommand {
  static override summary = 'Verify a UCAN and its proof chain against a root DID.';

  static override description = `Checks every rule of UCAN 0.10's validation section: the header, the payload, the signature by the issuer's key, the time bounds (with 60 s of clock skew), and each proof: resolved from --proof by its CID, aligned with its child, enclosing its time bounds, and every capability owned by a --root DID or derived from a proof. With --revocations, no token of the chain may be revoked by a --root DID. Prints what the chain grants, or every broken rule with its code and the CID of the token that broke it.

Exit codes: 0 the token is valid; 1 it is not (malformed, badly signed, expired, not yet valid, revoked, or a capability not proven); 2 the command line is wrong (a --root that is not an Ed25519 did:key, an unreadable token or revocation list, an unknown flag).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> "$CREDENTIAL" --root did:key:z6MkvRK8nibeFncybSeabSGg16yww1aCZYfsVdUU4QMeS7Gk',
    '<%= config.bin %> <%= command.id %> "$DELEGATED" --root "$HECATE_REALM_DID" --proof "$CREDENTIAL"',
    'cat token.jwt | <%= config.bin %> <%= command.id %> - --root "$HECATE_REALM_DID" --now 1795971703 --json',
    '<%= config.bin %> <%= command.id %> "$CREDENTIAL" --root "$HECATE_REALM_DID" --revocations "$HECATE_REALM_URL/api/v1/revocations"',
  ];

  static override enableJsonFlag = true;

  static override args = {
    jwt: Args.string({ required: true, description: 'The token to verify, as a JWT; - reads it from stdin.' }),
  };

  static override flags = {
    root: Flags.string({
      required: true,
      multiple: true,
      description: 'A DID that owns every resource without proof: the realm DID services pin (HECATE_REALM_DID). Repeat for several.',
    }),
    proof: Flags.string({ multiple: true, default: [], description: 'A proof token (JWT), found by its CID when the chain cites it. Repeat for each.' }),
    now: Flags.integer({ min: 0, description: 'Decide as of this time, in Unix seconds. [default: now]' }),
    revocations: Flags.string({
      description:
        "The realm's revocation list: its URL (https://realm.example.com/api/v1/revocations) or a file holding its answer. Revocations signed by a --root DID refuse the tokens they name; any other entry is ignored, with a warning. [default: none checked]",
    }),
  };

  async run(): Promise<TokenVerifyReport> {
    const { args, flags } = await this.parse(TokenVerify);
    const { publicKeyFromDid, ucanCid, verifyUcan } = await import('@hecate-om/ucan');
    const { readTokenArgument } = await import('../../token/token-argument.js');
    const problems: Problem[] = [];
    for (const root of flags.root) {
      const key = publicKeyFromDid(root);
      if (!key.ok) problems.push({ flag: '--root', message: key.message, hint: 'give the realm DID, did:key:z6Mk... (HECATE_REALM_DID)' });
    }
    const input = await readTokenArgument(args.jwt);
    if (!input.ok) problems.push({ flag: 'JWT', message: input.message });
    const revocations = await this.#revocations(flags.revocations, flags.root);
    if (revocations !== undefined && !revocations.ok)
      problems.push({ flag: '--revocations', message: revocations.message, hint: "give the realm's GET /api/v1/revocations URL, or a file holding its answer" });
    if (problems.length > 0 || !input.ok) this.refuse('nothing was verified:', problems);

    const proofs = new Map(flags.proof.map((token) => [ucanCid(token.trim()), token.trim()]));
    const revoked = revocations?.ok === true ? revocations.revoked : undefined;
    const ignored = revocations?.ok === true ? { ignoredRevocations: revocations.ignored } : {};
    const result = await verifyUcan(input.token, {
      rootIssuers: flags.root,
      proofs,
      now: flags.now,
      ...(revoked === undefined ? {} : { isRevoked: (cid: string) => revoked.has(cid) }),
    });
    if (!result.ok)
      // Each message names the rule's code and the CID of the token that broke it.
      return this.fail(
        result.errors.map((error) => error.message),
        `the token is not valid (${countOf(result.errors.length, 'broken rule')})`,
        { ok: false, errors: result.errors, ...ignored },
      );
    const { ucan } = result;
    const { formatUnixSeconds } = await import('../../token/human-time.js');
    this.log(`${ux.colorize('green', 'valid')}: UCAN ${ucan.cid}`);
    this.log(`  issuer    ${ucan.payload.iss}`);
    this.log(`  audience  ${ucan.payload.aud}`);
    this.log(`  expires   ${ucan.payload.exp === null ? 'never' : formatUnixSeconds(ucan.payload.exp)}`);
    this.log(`  proofs    ${ucan.proofs.length === 0 ? 'none' : ucan.proofs.map((proof) => proof.cid).join(', ')}`);
    this.log(`  grants    ${ucan.authority.length === 0 ? 'nothing' : ''}`.trimEnd());
    for (const entry of ucan.authority) this.log(`    ${entry.ability} on ${entry.resource} ${JSON.stringify(entry.caveat)} (owner ${entry.owner})`);
    return {
      ok: true,
      cid: ucan.cid,
      issuer: ucan.payload.iss,
      audience: ucan.payload.aud,
      expiresAt: ucan.payload.exp,
      authority: ucan.authority,
      proofs: ucan.proofs.map((proof) => proof.cid),
      ...ignored,
    };
  }

  /** The list `--revocations` names, its ignored entries warned about on stderr (in the report under --json); undefined without the flag. */
  async #revocations(source: string | undefined, roots: readonly string[]): Promise<RevocationSourceResult | undefined> {
    if (source === undefined) return undefined;
    const { readRevocationSource } = await import('../../token/revocation-source.js');
    const list = await readRevocationSource(source, roots);
    if (list.ok) for (const entry of list.ignored) this.logToStderr(`${ux.colorize('yellow', 'Warning:')} --revocations: ${entry.path} ${entry.message}: ignored`);
    return list;
  }
}
