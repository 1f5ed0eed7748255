import { Args, ux } from '@oclif/core';
import type { UcanError } from '@hecate-om/ucan';
import { HecateCommand } from '../../hecate-command.js';
import type { TokenDescription } from '../../token/describe-token.js';

export type TokenInspectReport = ({ readonly ok: true } & TokenDescription) | { readonly ok: false; readonly errors: readonly UcanError[] };

export default class TokenInspect extends HecateCommand {
  static override summary = 'Decode a UCAN: its header, payload, CID and time bounds.';

  static override description = `Checks the token's structure (three base64url segments, JSON header and payload, every field of the right type) and prints its CID, issuer, audience, time bounds in UTC and relative to now, proofs, header and payload. It does not check the signature or the proofs: that is token verify. Exits 1 when the token is malformed, printing every error code with the token's CID.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJ1Y3YiOi...',
    'cat credential.jwt | <%= config.bin %> <%= command.id %> -',
    '<%= config.bin %> <%= command.id %> "$TOKEN" --json',
  ];

  static override enableJsonFlag = true;

  static override args = {
    jwt: Args.string({ required: true, description: 'The token, as a JWT; - reads it from stdin.' }),
  };

  async run(): Promise<TokenInspectReport> {
    const { args } = await this.parse(TokenInspect);
    const { readTokenArgument } = await import('../../token/token-argument.js');
    const input = await readTokenArgument(args.jwt);
    if (!input.ok) this.refuse('cannot read the token:', [{ flag: 'JWT', message: input.message }]);
    const { parseUcan } = await import('@hecate-om/ucan');
    const parsed = parseUcan(input.token);
    // Each message names the rule's code and the token's CID.
    if (!parsed.ok) return this.fail(parsed.errors.map((error) => error.message), 'the token is not a well-formed UCAN', { ok: false, errors: parsed.errors });
    const { describeToken, describedTokenLines } = await import('../../token/describe-token.js');
    const description = describeToken(parsed.ucan, Math.floor(Date.now() / 1000));
    for (const line of describedTokenLines(description, (text) => ux.colorize('bold', text))) this.log(line);
    return { ok: true, ...description };
  }
}
