/**
 * A small structured logger: one line per event on stderr, either text
 * (`time LEVEL [logger] message key=value ...`, the default) or JSON
 * (`{"time","level","logger","message",...fields}`, one object per line, for log
 * pipelines). The format is `setLogFormat` (the CLI's `--log-format`), else the
 * TRIBUTARY_LOG_FORMAT variable, else text; it is read at each write, so loggers
 * made before the CLI parsed its flags follow them.
 *
 * Secrets never reach the output: fields whose name says secret (password, token,
 * credentials, SASL, authorization, API key) are written `[redacted]`, and a URL's
 * `user:password@` keeps only the user, in messages and in field values alike.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Where a logger writes (stderr unless a test passes its own). */
export interface LogSink {
  write(line: string): unknown;
}

export interface LoggerOptions {
  readonly format?: LogFormat;
  readonly out?: LogSink;
}

let processFormat: LogFormat | undefined;

/** Sets the format of every logger of the process (the CLI's `--log-format`); undefined goes back to the environment's. */
export function setLogFormat(format: LogFormat | undefined): void {
  processFormat = format;
}

/** `text` or `json`, else undefined. */
export function parseLogFormat(text: string | undefined): LogFormat | undefined {
  return text === 'text' || text === 'json' ? text : undefined;
}

/** The format in force: setLogFormat, else TRIBUTARY_LOG_FORMAT, else text. */
export function currentLogFormat(): LogFormat {
  return processFormat ?? parseLogFormat(process.env.TRIBUTARY_LOG_FORMAT) ?? 'text';
}

/** A logger writing to stderr at `level` and above (TRIBUTARY_LOG_LEVEL overrides). */
export function createLogger(name: string, level: LogLevel = (process.env.TRIBUTARY_LOG_LEVEL as LogLevel) || 'info', options: LoggerOptions = {}): Logger {
  const threshold = order[level] ?? order.info;
  const write = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (order[at] < threshold) return;
    const out = options.out ?? process.stderr;
    out.write(formatLogLine(options.format ?? currentLogFormat(), new Date(), at, name, message, fields));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

/** One log line, newline included; undefined fields are left out, secrets redacted. */
export function formatLogLine(format: LogFormat, time: Date, level: LogLevel, logger: string, message: string, fields?: Record<string, unknown>): string {
  const safe = fields ? redactFields(fields) : {};
  const text = scrubUrls(message);
  if (format === 'json') {
    const entry: Record<string, unknown> = { time: time.toISOString(), level, logger, message: text };
    for (const [k, v] of Object.entries(safe)) entry[k in entry ? `field.${k}` : k] = v;
    return `${JSON.stringify(entry, jsonValue)}\n`;
  }
  const extra = Object.entries(safe).map(([k, v]) => ` ${k}=${formatText(v)}`).join('');
  return `${time.toISOString()} ${level.toUpperCase().padEnd(5)} [${logger}] ${text}${extra}\n`;
}

const SECRET_NAME = /pass(word|wd|phrase)?$|secret|token|credential|authori[sz]ation|api[-_.]?key|^sasl$|^auth$/i;
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+):[^\s/@]+@/gi;

/** `scheme://user:password@host` → `scheme://user:[redacted]@host`. */
export function scrubUrls(text: string): string {
  return text.replace(URL_USERINFO, '$1:[redacted]@');
}

function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out[k] = SECRET_NAME.test(k) ? '[redacted]' : redactValue(v, 0);
  }
  return out;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubUrls(value);
  if (value instanceof Error) return scrubUrls(value.message);
  if (value === null || typeof value !== 'object' || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k] = SECRET_NAME.test(k) ? '[redacted]' : redactValue(v, depth + 1);
  }
  return out;
}

function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function formatText(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value, jsonValue);
}
