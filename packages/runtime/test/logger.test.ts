import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

const service = { name: 'hecate-echo', version: '0.1.0' };
const now = (): Date => new Date('2026-01-02T03:04:05.000Z');

function capture(level: Parameters<typeof createLogger>[0]['level']): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ level, service, now, write: (line) => lines.push(line) }) };
}

describe('createLogger', () => {
  it('writes one JSON line per event with the time, level, service name and version first', () => {
    const { lines, log } = capture('info');
    log.info('listening', { port: 8470 });
    expect(lines).toEqual([
      '{"time":"2026-01-02T03:04:05.000Z","level":"info","service":"hecate-echo","version":"0.1.0","message":"listening","port":8470}\n',
    ]);
  });

  it('drops events below the level and prints fatal ones even when silent', () => {
    const { lines, log } = capture('silent');
    log.error('not shown');
    log.fatal('exiting');
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['exiting']);
    const warn = capture('warn');
    warn.log.debug('a');
    warn.log.info('b');
    warn.log.warn('c');
    warn.log.error('d');
    expect(warn.lines.map((line) => JSON.parse(line).level)).toEqual(['warn', 'error']);
  });

  it('keeps a field from overriding the service, level or message', () => {
    const { lines, log } = capture('debug');
    log.warn('real', { service: 'other', level: 'debug', message: 'fake', extra: 1 });
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2026-01-02T03:04:05.000Z',
      level: 'warn',
      service: 'hecate-echo',
      version: '0.1.0',
      message: 'real',
      extra: 1,
    });
  });

  it('serializes errors and bigints, and survives a cyclic field', () => {
    const { lines, log } = capture('debug');
    const error = new RangeError('too far');
    log.error('failed', { error, count: 10n });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ error: { name: 'RangeError', message: 'too far', stack: error.stack }, count: '10' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    log.info('cyclic', { cyclic });
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ message: 'cyclic', logError: expect.stringMatching(/^fields not serializable: TypeError: Converting circular structure/) });
  });
});
