import type { CelType } from '@bufbuild/cel';

/**
 * The type of an expression as the validator knows it before anything runs.
 * `dyn` means "not known here": the checker never reports a problem that
 * depends on a dyn type. `origin` says where a type came from (an Avro field),
 * so a message can say why a field is, say, a double.
 */
export type StaticType =
  | { readonly kind: 'dyn' }
  | { readonly kind: 'scalar'; readonly name: ScalarName; readonly origin?: string }
  | { readonly kind: 'object'; readonly name: string }
  | { readonly kind: 'list'; readonly element: StaticType; readonly origin?: string }
  | { readonly kind: 'map'; readonly key: StaticType; readonly value: StaticType; readonly origin?: string }
  | RecordType;

/**
 * A map with known string keys: an Avro record, a map literal with constant
 * keys, the output of a step (`{left, right}` of a join). A closed record
 * has exactly these fields, so selecting another one fails for every record;
 * an open one (a value copied with one field added, `into`) may have more,
 * whose types are unknown.
 */
export interface RecordType {
  readonly kind: 'record';
  readonly name: string;
  readonly fields: ReadonlyMap<string, StaticType>;
  readonly origin?: string;
  /** Where the record comes from, for messages: `schema Click`, `the output of step 'counts'`. */
  readonly from?: string;
  readonly open?: boolean;
}

export type ScalarName = 'int' | 'uint' | 'double' | 'string' | 'bool' | 'bytes' | 'null_type' | 'type';

export const DYN: StaticType = { kind: 'dyn' };
export const scalar = (name: ScalarName, origin?: string): StaticType => ({ kind: 'scalar', name, ...(origin ? { origin } : {}) });
export const BOOL = scalar('bool');

/** How a type reads in a message: `double`, `list(string)`, `record Click`. */
export function typeName(t: StaticType): string {
  switch (t.kind) {
    case 'dyn': return 'dyn';
    case 'scalar': return t.name;
    case 'object': return t.name.replace(/^google\.protobuf\./, '').toLowerCase();
    case 'list': return `list(${typeName(t.element)})`;
    case 'map': return `map(${typeName(t.key)}, ${typeName(t.value)})`;
    case 'record': return `record ${t.name}`;
  }
}

/**
 * A type written out in full for `describe`: records with their fields
 * (`{user: string, n: double}`, `{...}` marking an open record), cut at a
 * depth and a length so that a large schema stays one readable line.
 */
export function typeText(t: StaticType, depth = 0): string {
  switch (t.kind) {
    case 'list': return `list(${typeText(t.element, depth)})`;
    case 'map': return `map(${typeText(t.key, depth)}, ${typeText(t.value, depth)})`;
    case 'record': {
      if (depth >= 3) return t.name;
      const fields = [...t.fields].map(([name, type]) => `${name}: ${typeText(type, depth + 1)}`);
      const shown = fields.length > 12 ? [...fields.slice(0, 12), `... ${fields.length - 12} more`] : fields;
      if (t.open) shown.push('...');
      return `{${shown.join(', ')}}`;
    }
    default: return typeName(t);
  }
}

/** A closed record of the given fields; `from` says where it comes from in messages. */
export function recordOf(name: string, fields: Iterable<[string, StaticType]>, from?: string, open = false): RecordType {
  return { kind: 'record', name, fields: new Map(fields), ...(from ? { from } : {}), ...(open ? { open } : {}) };
}

/**
 * The value `{...base, [field]: type}` (an operator's `into`): a base record
 * keeps its fields (and its closedness); any other base gives an open record
 * that knows only the new field (a non-record base is wrapped as `{value}`
 * at run time, a dyn one may have any fields).
 */
export function withField(base: StaticType, field: string, type: StaticType, from?: string): RecordType {
  if (base.kind === 'record') {
    const fields = new Map(base.fields);
    fields.set(field, type);
    return { kind: 'record', name: base.name, fields, ...(from ?? base.from ? { from: from ?? base.from } : {}), ...(base.open ? { open: true } : {}) };
  }
  if (base.kind === 'dyn' || base.kind === 'map') return recordOf('record', [[field, type]], from, true);
  return recordOf('record', [['value', base], [field, type]], from);
}

/**
 * The type an expression's result has when the next step reads it: results
 * are turned into plain JS values between steps (cel-expression.ts
 * `fromCel`), so ints and uints come back as numbers, which CEL reads as
 * doubles; lists, maps and records keep their shape.
 */
export function asStored(t: StaticType): StaticType {
  switch (t.kind) {
    case 'scalar': return t.name === 'int' || t.name === 'uint'
      ? scalar('double', 'a number an earlier step computed is a double here (int(...) makes it an int)') : t;
    case 'list': return { kind: 'list', element: asStored(t.element) };
    case 'map': return { kind: 'map', key: asStored(t.key), value: asStored(t.value) };
    case 'record': return { ...t, fields: new Map([...t.fields].map(([k, v]) => [k, asStored(v)])) };
    default: return t;
  }
}

/** The static type of a type in @bufbuild/cel's function registry. */
export function fromCelType(t: CelType): StaticType {
  switch (t.kind) {
    case 'scalar': return t.name === 'dyn' ? DYN : scalar(t.name as ScalarName);
    case 'list': return { kind: 'list', element: fromCelType(t.element) };
    case 'map': return { kind: 'map', key: fromCelType(t.key), value: fromCelType(t.value) };
    case 'object': return { kind: 'object', name: t.name };
  }
}

/**
 * Whether a value of static type `arg` can be passed where a registry
 * function declares `param`. Unknown (dyn) on either side is accepted; an
 * Avro record is a map at run time.
 */
export function assignable(arg: StaticType, param: StaticType): boolean {
  if (arg.kind === 'dyn' || param.kind === 'dyn') return true;
  switch (param.kind) {
    case 'scalar': return arg.kind === 'scalar' && arg.name === param.name;
    case 'object': return arg.kind === 'object' && arg.name === param.name;
    case 'list': return arg.kind === 'list' && assignable(arg.element, param.element);
    case 'map':
      if (arg.kind === 'record') return assignable(scalar('string'), param.key);
      return arg.kind === 'map' && assignable(arg.key, param.key) && assignable(arg.value, param.value);
    case 'record': return arg.kind === 'record' && arg.name === param.name;
  }
}

/** The same type when both are the same, else dyn (list literals, ternaries). */
export function join(a: StaticType, b: StaticType): StaticType {
  return sameType(a, b) ? a : DYN;
}

/** Structural equality: records with the same field names of the same types (and openness). */
export function sameType(a: StaticType, b: StaticType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'dyn': return true;
    case 'scalar': return a.name === (b as typeof a).name;
    case 'object': return a.name === (b as typeof a).name;
    case 'list': return sameType(a.element, (b as typeof a).element);
    case 'map': return sameType(a.key, (b as typeof a).key) && sameType(a.value, (b as typeof a).value);
    case 'record': {
      const r = b as RecordType;
      if (a === r) return true;
      if (a.fields.size !== r.fields.size || (a.open ?? false) !== (r.open ?? false)) return false;
      for (const [name, type] of a.fields) {
        const other = r.fields.get(name);
        if (!other || !sameType(type, other)) return false;
      }
      return true;
    }
  }
}

type Obj = Record<string, unknown>;
const MAX_DEPTH = 24;

/**
 * The static type of values decoded with an Avro schema (parsed .avsc JSON),
 * as expressions see them at run time: avsc gives every number (int, long,
 * float, double) as a JS number, which CEL takes as a double; enums and
 * strings are strings; bytes and fixed are bytes; records and maps are maps.
 * A union of null and one type is that type (null is a value the expression
 * may guard against); any other union, and anything unreadable, is dyn.
 */
export function avroStaticType(schema: unknown, path = 'value'): StaticType {
  const named = new Map<string, unknown>();
  collectNamed(schema, undefined, named, 0);
  return convert(schema, path, named, undefined, 0);
}

function convert(schema: unknown, path: string, named: Map<string, unknown>, namespace: string | undefined, depth: number): StaticType {
  if (depth > MAX_DEPTH) return DYN;
  if (typeof schema === 'string') {
    const primitive = avroPrimitive(schema, path);
    if (primitive) return primitive;
    const target = named.get(schema) ?? (namespace ? named.get(`${namespace}.${schema}`) : undefined);
    return target === undefined ? DYN : convert(target, path, named, namespace, depth + 1);
  }
  if (Array.isArray(schema)) {
    const branches = schema.filter((b) => b !== 'null' && !(isObj(b) && b.type === 'null'));
    return branches.length === 1 ? convert(branches[0], path, named, namespace, depth + 1) : DYN;
  }
  if (!isObj(schema)) return DYN;
  const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  switch (schema.type) {
    case 'record': case 'error': {
      if (!Array.isArray(schema.fields)) return DYN;
      const fields = new Map<string, StaticType>();
      for (const f of schema.fields as unknown[]) {
        if (isObj(f) && typeof f.name === 'string') fields.set(f.name, convert(f.type, `${path}.${f.name}`, named, ns, depth + 1));
      }
      return { kind: 'record', name: String(schema.name ?? 'record'), fields, origin: path, from: `schema ${String(schema.name ?? '')}`.trim() };
    }
    case 'array': return { kind: 'list', element: convert(schema.items, `${path}[]`, named, ns, depth + 1), origin: path };
    case 'map': return { kind: 'map', key: scalar('string'), value: convert(schema.values, `${path}[]`, named, ns, depth + 1), origin: path };
    case 'enum': return scalar('string', `${path} (an Avro enum)`);
    case 'fixed': return scalar('bytes', `${path} (an Avro fixed)`);
    default: return convert(schema.type, path, named, ns, depth + 1);
  }
}

function avroPrimitive(name: string, path: string): StaticType | undefined {
  switch (name) {
    case 'null': return scalar('null_type');
    case 'boolean': return scalar('bool', `${path} (an Avro boolean)`);
    case 'int': case 'long': case 'float': case 'double':
      return scalar('double', `${path} is an Avro ${name}: a number, which expressions see as a double`);
    case 'string': return scalar('string', `${path} (an Avro string)`);
    case 'bytes': return scalar('bytes', `${path} (Avro bytes)`);
    default: return undefined;
  }
}

function collectNamed(schema: unknown, namespace: string | undefined, named: Map<string, unknown>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(schema)) { for (const b of schema) collectNamed(b, namespace, named, depth + 1); return; }
  if (!isObj(schema)) return;
  const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
  if (typeof schema.name === 'string' && ['record', 'error', 'enum', 'fixed'].includes(String(schema.type))) {
    named.set(schema.name, schema);
    if (ns && !schema.name.includes('.')) named.set(`${ns}.${schema.name}`, schema);
  }
  if (Array.isArray(schema.fields)) for (const f of schema.fields as unknown[]) if (isObj(f)) collectNamed(f.type, ns, named, depth + 1);
  if (schema.items !== undefined) collectNamed(schema.items, ns, named, depth + 1);
  if (schema.values !== undefined) collectNamed(schema.values, ns, named, depth + 1);
  if (isObj(schema.type) || Array.isArray(schema.type)) collectNamed(schema.type, ns, named, depth + 1);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
