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

  it('keeps a field from overriding the service, level or message, and keeps its value under fields', () => {
    const { lines, log } = capture('debug');
    log.warn('real', { service: 'other', level: 'debug', message: 'fake', time: 0, version: '9', fields: 'mine', extra: 1 });
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: '2026-01-02T03:04:05.000Z',
      level: 'warn',
      service: 'hecate-echo',
      version: '0.1.0',
      message: 'real',
      extra: 1,
      fields: { service: 'other', level: 'debug', message: 'fake', time: 0, version: '9', fields: 'mine' },
    });
  });

  it("keeps an error's cause chain, code, errno and syscall, and an AggregateError's errors", () => {
    const { lines, log } = capture('debug');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1', port: 1 });
    const both = new AggregateError([refused, new Error('connect ECONNREFUSED ::1:1')], 'every address refused');
    log.error('failed', { error: new TypeError('fetch failed', { cause: both }) });
    expect(JSON.parse(lines[0] ?? '').error).toEqual({
      name: 'TypeError',
      message: 'fetch failed',
      stack: expect.stringMatching(/^TypeError: fetch failed\n/),
      cause: {
        name: 'AggregateError',
        message: 'every address refused',
        stack: expect.any(String),
        errors: [
          { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:1', stack: expect.any(String), code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1', port: 1 },
          { name: 'Error', message: 'connect ECONNREFUSED ::1:1', stack: expect.any(String) },
        ],
      },
    });
  });

  it('bounds a cause chain that loops and a very long list of aggregated errors', () => {
    const { lines, log } = capture('debug');
    const looped = new Error('outer');
    looped.cause = new Error('inner', { cause: looped });
    log.error('looped', { error: looped, many: new AggregateError(Array.from({ length: 40 }, (_, index) => new Error(`e${index}`))) });
    const event = JSON.parse(lines[0] ?? '');
    let depth = 0;
    for (let error = event.error; error?.cause !== undefined; error = error.cause) depth += 1;
    expect(depth).toBe(8);
    expect(event.error.cause.cause.message).toBe('outer');
    expect([event.many.errors.length, event.many.errors[15].message, event.many.errorsNotShown]).toEqual([16, 'e15', 24]);
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
