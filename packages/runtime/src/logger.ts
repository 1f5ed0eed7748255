import type { LogLevel, Logger } from '@hecate-om/contract';

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

/**
 * One JSON object per line: `{"time","level","service","version","message",...fields}`. The fixed
 * keys are spread again after the fields so that a field can never pass itself off as another
 * service or level.
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
    write(`${serializeEvent(fields === undefined ? event : { ...event, ...fields, ...event })}\n`);
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
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
