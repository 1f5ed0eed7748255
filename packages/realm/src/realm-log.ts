import type { DecisionRecord } from './provision.js';

export type RealmLogLevel = 'info' | 'warn' | 'error';

export interface RealmLog {
  event(level: RealmLogLevel, message: string, fields?: Record<string, unknown>): void;
  /** One line per claim: granted at `info`, refused at `warn`, a realm failure at `error`. */
  decision(record: DecisionRecord): void;
}

/**
 * One JSON object per line: `{"time","level","realm","message",...fields}`. The fixed keys are
 * spread again after the fields, so that a field (say a service name) cannot pass for another.
 */
export function createRealmLog(realm: string, write: (line: string) => void, now: () => Date = () => new Date()): RealmLog {
  const event = (level: RealmLogLevel, message: string, fields: Record<string, unknown> = {}): void => {
    const fixed = { time: now().toISOString(), level, realm, message };
    write(`${JSON.stringify({ ...fixed, ...fields, ...fixed })}\n`);
  };
  return {
    event,
    decision: (record) => {
      const level = record.decision === 'granted' ? 'info' : record.code === 'INTERNAL_ERROR' ? 'error' : 'warn';
      event(level, `provision ${record.decision}`, { ...record });
    },
  };
}
