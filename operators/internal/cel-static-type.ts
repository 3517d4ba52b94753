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
  | { readonly kind: 'record'; readonly name: string; readonly fields: ReadonlyMap<string, StaticType>; readonly origin?: string };

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

function sameType(a: StaticType, b: StaticType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'dyn': return true;
    case 'scalar': return a.name === (b as typeof a).name;
    case 'object': return a.name === (b as typeof a).name;
    case 'list': return sameType(a.element, (b as typeof a).element);
    case 'map': return sameType(a.key, (b as typeof a).key) && sameType(a.value, (b as typeof a).value);
    case 'record': return a === b;
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
      return { kind: 'record', name: String(schema.name ?? 'record'), fields, origin: path };
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
