import type { LogLevel, Logger } from '@hecate-om/contract';
import { errorFields } from './error-fields.js';

/** The runtime's own logger adds `fatal`: why the process is about to exit, printed at every level. */
export interface RuntimeLogger extends Logger {
  fatal(message: string, fields?: Record<string, unknown>): void;
}

type EventLevel = Exclude<LogLevel, 'silent'> | 'fatal';

const SEVERITY: Record<LogLevel | 'fatal', number> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50, silent: 60 };

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly service: { readonly name: string; readonly version: string };
  /** Receives one complete line, newline included. */
  readonly write: (line: string) => void;
  readonly now?: () => Date;
}

/** The keys the logger writes itself; `fields` holds a field given under one of these names. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['time', 'level', 'service', 'version', 'message', 'fields']);

/**
 * One JSON object per line: `{"time","level","service","version","message",...fields}`. A field
 * can never pass itself off as another service or level: one named like a key the logger writes
 * (or named `fields`) is kept under `fields` instead, so its value is not lost.
 */
export function createLogger({ level, service, write, now = () => new Date() }: LoggerOptions): RuntimeLogger {
  const threshold = SEVERITY[level];
  const emit = (eventLevel: EventLevel, message: string, fields?: Record<string, unknown>): void => {
    if (eventLevel !== 'fatal' && SEVERITY[eventLevel] < threshold) return;
    const event = {
      time: now().toISOString(),
      level: eventLevel,
      service: service.name,
      version: service.version,
      message,
    };
    if (fields === undefined) return write(`${serializeEvent(event)}\n`);
    // fromEntries and spreads define own properties: a field named __proto__ stays data.
    const entries = Object.entries(fields);
    const shadowed = entries.filter(([key]) => RESERVED_KEYS.has(key));
    const kept = Object.fromEntries(entries.filter(([key]) => !RESERVED_KEYS.has(key)));
    write(`${serializeEvent(shadowed.length === 0 ? { ...event, ...kept } : { ...event, ...kept, fields: Object.fromEntries(shadowed) })}\n`);
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    fatal: (message, fields) => emit('fatal', message, fields),
  };
}

function serializeEvent(event: Record<string, unknown>): string {
  try {
    return JSON.stringify(event, replaceUnserializable);
  } catch (error) {
    // A cyclic field must not cost the event: keep what is certain to serialize.
    const { time, level, service, version, message } = event;
    return JSON.stringify({ time, level, service, version, message, logError: `fields not serializable: ${String(error)}` });
  }
}

function replaceUnserializable(_key: string, value: unknown): unknown {
  if (value instanceof Error) return errorFields(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}
