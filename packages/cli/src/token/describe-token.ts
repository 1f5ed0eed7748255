import type { ParsedUcan, UcanHeader, UcanPayload } from '@hecate-om/ucan';
import { formatRelative, formatUnixSeconds } from './human-time.js';

/** A time bound of a token: Unix seconds, and the same for a person. */
export interface TokenTime {
  readonly unix: number;
  /** UTC, such as `2026-11-29T18:00:00Z`. */
  readonly utc: string;
  /** Relative to when the command ran: `in 2 h 3 min`, `5 min ago`. */
  readonly relative: string;
}

/** What `token inspect --json` prints of a token. */
export interface TokenDescription {
  readonly cid: string;
  readonly header: UcanHeader;
  readonly payload: UcanPayload;
  /** `nbf`, absent when the token has none (valid from the epoch). */
  readonly notBefore?: TokenTime;
  /** `exp`; `null` when the token never expires. */
  readonly expiresAt: TokenTime | null;
}

function tokenTime(unix: number, now: number): TokenTime {
  return { unix, utc: formatUnixSeconds(unix), relative: formatRelative(unix, now) };
}

/** A parsed token's header, payload, CID and time bounds; `now` in Unix seconds. */
export function describeToken(ucan: ParsedUcan, now: number): TokenDescription {
  const { payload } = ucan;
  return {
    cid: ucan.cid,
    header: ucan.header,
    payload,
    ...(payload.nbf === undefined ? {} : { notBefore: tokenTime(payload.nbf, now) }),
    expiresAt: payload.exp === null ? null : tokenTime(payload.exp, now),
  };
}

const timeLine = (time: TokenTime): string => `${time.utc} (${time.relative}, ${time.unix})`;

/** The description as `token inspect` prints it: a summary, then the header and payload as JSON. */
export function describedTokenLines(description: TokenDescription, bold: (text: string) => string): string[] {
  const { payload } = description;
  const proofs = payload.prf ?? [];
  return [
    `${bold('UCAN')} ${description.cid}`,
    `  issuer      ${payload.iss}`,
    `  audience    ${payload.aud}`,
    `  not before  ${description.notBefore === undefined ? 'none (valid from the epoch)' : timeLine(description.notBefore)}`,
    `  expires     ${description.expiresAt === null ? 'never (exp is null)' : timeLine(description.expiresAt)}`,
    `  proofs      ${proofs.length === 0 ? 'none' : proofs.join(', ')}`,
    '',
    bold('header'),
    JSON.stringify(description.header, null, 2),
    '',
    bold('payload'),
    JSON.stringify(payload, null, 2),
  ];
}
