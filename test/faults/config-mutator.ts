/**
 * Seeded mutations of topology YAML text for the config fuzzer: line edits, scalar swaps,
 * key typos, stray YAML syntax, truncation. The same seed always gives the same mutant, so
 * a failure is reproduced from the seed printed with it.
 */

/** A seeded random source (mulberry32). */
export class Rng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const SCALARS = [
  '', '0', '42', '-1', '3.5', '1e309', '0x1F', 'null', '~', 'true', 'no', '"text"', "'unterminated", '"unterminated',
  '[1, 2]', '[]', '{}', '{a: 1}', '${NOPE}', '${NOPE:-x}', '${', '&anchor x', '*nope', '!!binary aGk=', '!custom x',
  '|', '>-', '- a', '10ms', '-5s', '1h30m', '99999999999999999999', 'x'.repeat(300), '"\\u0000"', 'é', '2024-01-01',
  'size(value) >', 'value.', '{{', ': :', '? complex', '@at', '`tick`', '%YAML', 'a: b: c',
];

const KEYS = [
  'name', 'kafka', 'brokers', 'processing', 'guarantee', 'commitInterval', 'stateDir', 'sources', 'topic', 'key', 'value',
  'stores', 'kind', 'changelog', 'pipelines', 'from', 'steps', 'id', 'to', 'sinks', 'tests', 'inputs', 'records', 'expect',
  'operator', 'options', 'expression', 'store', 'schema', 'window', 'bogus', 'Steps', 'toopic', '', 'x y', '"quoted key"',
];

const STRAY = [':', '-', '{', '}', '[', ']', '"', "'", '\t', '#', '&', '*', '!', '|', '>', '%', '@', '`', ',', '?', '\u0000', '\ufeff', '\r', 'é', '\u202e'];

/** One named mutation of text. */
export interface Mutation {
  readonly name: string;
  apply(text: string, rng: Rng, donors: readonly string[]): string;
}

function lines(text: string): string[] {
  return text.split('\n');
}

const mutations: readonly Mutation[] = [
  { name: 'delete-line', apply: (t, r) => { const l = lines(t); l.splice(r.int(l.length), 1); return l.join('\n'); } },
  { name: 'duplicate-line', apply: (t, r) => { const l = lines(t); const i = r.int(l.length); l.splice(i, 0, l[i]!); return l.join('\n'); } },
  { name: 'swap-lines', apply: (t, r) => { const l = lines(t); const [i, j] = [r.int(l.length), r.int(l.length)]; [l[i], l[j]] = [l[j]!, l[i]!]; return l.join('\n'); } },
  { name: 'reindent', apply: (t, r) => { const l = lines(t); const i = r.int(l.length); const d = r.pick([-4, -2, -1, 1, 2, 4]); l[i] = d > 0 ? ' '.repeat(d) + l[i] : l[i]!.replace(new RegExp(`^ {0,${-d}}`), ''); return l.join('\n'); } },
  {
    name: 'replace-scalar',
    apply: (t, r) => {
      const l = lines(t);
      const candidates = l.map((s, i) => [s, i] as const).filter(([s]) => /:\s+\S/.test(s) || /^\s*-\s+\S/.test(s));
      if (candidates.length === 0) return t;
      const [s, i] = r.pick(candidates);
      l[i] = s.replace(/(:\s+|^\s*-\s+)(.*)$/, (_m, p: string) => p + r.pick(SCALARS));
      return l.join('\n');
    },
  },
  {
    name: 'rename-key',
    apply: (t, r) => {
      const l = lines(t);
      const candidates = l.map((s, i) => [s, i] as const).filter(([s]) => /^\s*(-\s+)?[\w-]+:/.test(s));
      if (candidates.length === 0) return t;
      const [s, i] = r.pick(candidates);
      l[i] = s.replace(/^(\s*(?:-\s+)?)([\w-]+):/, (_m, p: string, k: string) => {
        const typo = r.next() < 0.5 ? k.slice(0, -1) + String.fromCharCode(97 + r.int(26)) : r.pick(KEYS);
        return `${p}${typo}:`;
      });
      return l.join('\n');
    },
  },
  { name: 'insert-donor-line', apply: (t, r, d) => { const l = lines(t); const donor = lines(r.pick(d)); l.splice(r.int(l.length + 1), 0, ' '.repeat(r.pick([0, 2, 4, 6, 8])) + r.pick(donor).trim()); return l.join('\n'); } },
  { name: 'truncate', apply: (t, r) => t.slice(0, r.int(t.length + 1)) },
  { name: 'insert-char', apply: (t, r) => { const i = r.int(t.length + 1); return t.slice(0, i) + r.pick(STRAY) + t.slice(i); } },
  { name: 'delete-chars', apply: (t, r) => { const i = r.int(t.length + 1); return t.slice(0, i) + t.slice(i + 1 + r.int(12)); } },
  { name: 'empty-block', apply: (t, r) => { const l = lines(t); const i = r.int(l.length); l[i] = l[i]!.replace(/:\s+.*$/, ':'); return l.join('\n'); } },
  { name: 'alias-bomb', apply: (t) => `${t}\nx0: &a0 [q, q, q, q, q, q, q, q, q]\nx1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]\nx2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]\nx3: [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]\n` },
  { name: 'duplicate-key-block', apply: (t, r) => { const l = lines(t); const tops = l.map((s, i) => [s, i] as const).filter(([s]) => /^[\w-]+:/.test(s)); if (tops.length === 0) return t; const [s] = r.pick(tops); return `${t}\n${s}\n  extra: 1\n`; } },
  { name: 'crlf', apply: (t) => t.replaceAll('\n', '\r\n') },
  // Type-level mutations of CEL expressions: each makes an expression that fails for every record.
  {
    name: 'misspell-function',
    apply: (t, r) => {
      const l = lines(t);
      const candidates = l.map((s, i) => [s, i] as const).filter(([s]) => /[A-Za-z]{3,}\(/.test(s) && /(expression|when|value|key|right|by|weight|item|member):/.test(s));
      if (candidates.length === 0) return t;
      const [s, i] = r.pick(candidates);
      l[i] = s.replace(/([A-Za-z]{3,})\(/, (_m, name: string) => `${name.slice(0, -1)}${String.fromCharCode(97 + r.int(26))}(`);
      return l.join('\n');
    },
  },
  {
    name: 'non-boolean-predicate',
    apply: (t, r) => {
      const l = lines(t);
      const candidates = l.map((s, i) => [s, i] as const).filter(([s]) => /(expression|when):\s+[^\s'"|>]/.test(s));
      if (candidates.length === 0) return t;
      const [s, i] = r.pick(candidates);
      l[i] = s.replace(/((?:expression|when):\s+)(.*)$/, (_m, p: string) => p + r.pick(['value', '1 + 1', 'timestamp', '"yes"', 'value.userId', '[true]']));
      return l.join('\n');
    },
  },
  {
    name: 'literal-type-swap',
    apply: (t, r) => {
      const l = lines(t);
      const candidates = l.map((s, i) => [s, i] as const).filter(([s]) => /(==|!=|>=?|<=?|\+)\s*("[^"]*"|\d+)/.test(s));
      if (candidates.length === 0) return t;
      const [s, i] = r.pick(candidates);
      l[i] = s.replace(/(==|!=|>=?|<=?|\+)(\s*)("[^"]*"|\d+)/, (_m, op: string, sp: string, lit: string) => `${op}${sp}${lit.startsWith('"') ? String(r.int(100)) : `"${lit}"`}`);
      return l.join('\n');
    },
  },
  {
    // A field of a map literal changes type (`"n": 1` → `"n": "text"`), so what later steps do with it may no longer type.
    name: 'swap-field-type',
    apply: (t, r) => {
      const l = lines(t);
      const candidates = l.map((s, i) => [s, i] as const).filter(([s]) => /"[\w-]+":\s*[^,}\s][^,}]*/.test(s));
      if (candidates.length === 0) return t;
      const [s, i] = r.pick(candidates);
      const entries = [...s.matchAll(/("[\w-]+":\s*)([^,}]+)/g)];
      const entry = r.pick(entries);
      const old = entry[2]!.trim();
      const swapped = /^-?\d/.test(old) ? '"text"' : old.startsWith('"') ? String(r.int(100)) : r.pick(['1', '"text"', 'true', '[1]']);
      const at = entry.index! + entry[1]!.length;
      l[i] = s.slice(0, at) + swapped + s.slice(at + entry[2]!.length);
      return l.join('\n');
    },
  },
  {
    // A field read after a step that builds a new value (aggregate, join, window, map, score) is misspelled.
    name: 'misspell-field',
    apply: (t, r) => {
      const l = lines(t);
      const firstBuilder = l.findIndex((s) => /^\s*-?\s*(id: .*)?(aggregate[\w-]*|join-[\w-]+|window-[\w-]+|map|score|flat-map|top-k):/.test(s) || /operator:\s*(aggregate|join|window|map|score)/.test(s));
      const reads = (from: number): Array<readonly [string, number]> => l.map((s, i) => [s, i] as const).filter(([s, i]) => i >= from && /\b(value|key|left|right)\.[A-Za-z_]\w+/.test(s));
      const candidates = firstBuilder >= 0 && reads(firstBuilder).length > 0 ? reads(firstBuilder) : reads(0);
      if (candidates.length === 0) return t;
      const [s, i] = r.pick(candidates);
      const fields = [...s.matchAll(/\b(?:value|key|left|right)\.([A-Za-z_]\w+)/g)];
      const m = r.pick(fields);
      const name = m[1]!;
      const k = r.int(name.length - 1);
      const typo = r.next() < 0.5 ? name.slice(0, k) + name[k + 1] + name[k] + name.slice(k + 2) : name.slice(0, k) + name.slice(k + 1);
      const at = m.index! + m[0]!.length - name.length;
      l[i] = s.slice(0, at) + typo + s.slice(at + name.length);
      return l.join('\n');
    },
  },
  { name: 'tabs-for-spaces', apply: (t, r) => { const l = lines(t); const i = r.int(l.length); l[i] = l[i]!.replace(/^ +/, '\t'); return l.join('\n'); } },
];

/** Every mutation, by name (for reports and tests). */
export const mutationNames: readonly string[] = mutations.map((m) => m.name);

/** Applies 1–3 random mutations to `text`; returns the mutant and the mutations used. */
export function mutateTopologyText(text: string, seed: number, donors: readonly string[]): { text: string; applied: string[] } {
  const rng = new Rng(seed);
  const applied: string[] = [];
  let out = text;
  const count = 1 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const m = rng.pick(mutations);
    out = m.apply(out, rng, donors.length > 0 ? donors : [text]);
    applied.push(m.name);
  }
  return { text: out, applied };
}
