/**
 * A small structured logger: one line per event on stderr, `level message
 * key=value ...`. Secrets never reach it: callers pass names, not configs.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A logger writing to stderr at `level` and above (TRIBUTARY_LOG_LEVEL overrides). */
export function createLogger(name: string, level: LogLevel = (process.env.TRIBUTARY_LOG_LEVEL as LogLevel) || 'info'): Logger {
  const threshold = order[level] ?? order.info;
  const write = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (order[at] < threshold) return;
    const extra = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${format(v)}`).join('') : '';
    process.stderr.write(`${new Date().toISOString()} ${at.toUpperCase().padEnd(5)} [${name}] ${message}${extra}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

function format(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}
