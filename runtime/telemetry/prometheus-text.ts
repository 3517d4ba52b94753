import { TributaryError } from '../../core/errors';

/** One sample line of a Prometheus scrape. */
export interface PrometheusSample {
  /** Series name as exposed, e.g. `tributary_e2e_latency_bucket`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed scrape: samples in order, plus the `# TYPE` of each metric family. */
export interface PrometheusScrape {
  readonly samples: readonly PrometheusSample[];
  readonly types: ReadonlyMap<string, string>;
}

/** A line the parser cannot read (the endpoint is not a Prometheus one); carries the 1-based line number. */
export class PrometheusParseError extends TributaryError {
  readonly retriable = false;

  constructor(readonly line: number, message: string) {
    super(`metrics line ${line}: ${message}`);
  }
}

const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

/**
 * Parse the Prometheus text exposition format (version 0.0.4): the subset
 * exporters write — comments, `# TYPE`, samples with optional labels and
 * timestamp, `NaN`/`+Inf`/`-Inf` values and escaped label values.
 */
export function parsePrometheusText(text: string): PrometheusScrape {
  const samples: PrometheusSample[] = [];
  const types = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types.set(m[1], m[2]);
      continue;
    }
    samples.push(parseSample(line, i + 1));
  }
  return { samples, types };
}

function parseSample(line: string, lineNo: number): PrometheusSample {
  const nameMatch = nameRe.exec(line);
  if (!nameMatch) throw new PrometheusParseError(lineNo, `expected a metric name, got '${line.slice(0, 40)}'`);
  const name = nameMatch[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      while (line[pos] === ' ' || line[pos] === ',') pos++;
      if (line[pos] === '}') { pos++; break; }
      const key = nameRe.exec(line.slice(pos));
      if (!key) throw new PrometheusParseError(lineNo, `expected a label name at column ${pos + 1}`);
      pos += key[0].length;
      if (line[pos] !== '=' || line[pos + 1] !== '"') throw new PrometheusParseError(lineNo, `expected =" after label ${key[0]}`);
      pos += 2;
      let value = '';
      for (;;) {
        const c = line[pos];
        if (c === undefined) throw new PrometheusParseError(lineNo, `unterminated value of label ${key[0]}`);
        pos++;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[pos++];
          value += e === 'n' ? '\n' : e;
        } else {
          value += c;
        }
      }
      labels[key[0]] = value;
    }
  }
  const rest = line.slice(pos).trim().split(/\s+/);
  const value = parseValue(rest[0]);
  if (value === undefined) throw new PrometheusParseError(lineNo, `expected a number after ${name}, got '${rest[0] ?? ''}'`);
  return { name, labels, value };
}

function parseValue(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  return Number.isNaN(n) ? undefined : n;
}

/** Sum of the samples named `name` whose labels include all of `where`. */
export function sumSamples(scrape: PrometheusScrape, name: string, where: Record<string, string> = {}): number {
  let total = 0;
  for (const s of scrape.samples) {
    if (s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}
