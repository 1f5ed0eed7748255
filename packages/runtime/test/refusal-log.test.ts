import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { PROOFS_UNKNOWN, type CallAuthorization } from '../src/mesh/authorization.js';
import { logRefusals } from '../src/mesh/refusal-log.js';

const SAY = { name: 'echo.say', version: 1 };

describe('logRefusals', () => {
  it('logs a refusal as a warn, and not a provider asking for the proofs a call named by CID', async () => {
    const lines: { level: string; message: string; reason?: string }[] = [];
    const log = createLogger({ level: 'info', service: { name: 'echo', version: '1.0.0' }, write: (line) => lines.push(JSON.parse(line)) });
    let reason = PROOFS_UNKNOWN;
    const refusing: CallAuthorization = { attach: async () => ({ ok: true, headers: {} }), authorize: async () => ({ ok: false, error: { code: 'unauthorized', reason, message: reason } }) };
    const logged = logRefusals(refusing, { log, now: () => 0 });
    expect(await logged.authorize(SAY, {})).toMatchObject({ ok: false, error: { reason: PROOFS_UNKNOWN } });
    expect(lines).toEqual([]);
    reason = 'expired';
    await logged.authorize(SAY, {});
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', message: 'refused a call of echo.say from an unidentified caller (no invocation): expired', reason: 'expired' })]);
  });
});
