import * as path from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { DocSpec } from './doc-spec';
import type { StoreAccess } from '../../operators/operator-spec';
import { didYouMean } from './did-you-mean';
import { parseDuration } from '../duration';
import type { ProblemSink } from './problem-sink';

/** Something a checked node names that only the whole topology can resolve. */
export interface Reference {
  readonly kind: 'store' | 'sink' | 'pipeline';
  readonly name: string;
  readonly node: Node;
  /** Store references: what the step may do with the store (default read-write). */
  readonly access?: StoreAccess;
}

/** What the checker found besides problems: things the validator resolves later. */
export interface CheckFindings {
  readonly references: Reference[];
  /** Expressions with their node and where they are (`steps.<id>.aggregate.field`). */
  readonly expressions: Array<{ source: string; node: Node; where: string; boolean?: boolean }>;
  readonly modules: Array<{ path: string; node: Node }>;
  /**
   * The topology file's folder: module options resolve against it, at any depth of the options
   * (`aggregate.module` of a window too), so that run, test and validate load the same file
   * whatever the working directory. Without it they stay as written.
   */
  readonly moduleDir?: string;
}

export function emptyFindings(moduleDir?: string): CheckFindings {
  return { references: [], expressions: [], modules: [], ...(moduleDir !== undefined ? { moduleDir } : {}) };
}

const kindNames: Record<string, string> = {
  string: 'a string', number: 'a number', integer: 'an integer', boolean: 'a boolean (true or false)',
  expression: 'a CEL expression (string)', duration: "a duration such as '500ms', '10s', '5m', '1h' or '7d'",
  store: 'a store name', sink: 'a sink name', pipeline: 'a pipeline name', module: 'a module path',
  list: 'a list', object: 'a mapping', map: 'a mapping of names', any: 'a value',
};

/** Describes the kind of a YAML node the way error messages name it. */
export function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'string') return `the string '${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
    return `${typeof v} ${String(v)}`;
  }
  return 'nothing';
}

/**
 * Checks a YAML node against a spec, reporting every problem with the node's
 * position, and returns the resolved value (defaults filled, durations in ms).
 * Returns undefined for a node that is missing or wrong.
 */
export function checkNode(
  node: Node | null | undefined, spec: DocSpec, sink: ProblemSink, findings: CheckFindings, where: string,
): unknown {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) {
    return spec.default;
  }
  switch (spec.kind) {
    case 'string': case 'expression': case 'module': case 'store': case 'sink': case 'pipeline': {
      if (!isScalar(node) || typeof node.value !== 'string' && typeof node.value !== 'number') {
        sink.report(node, 'wrong-type', `${where} must be ${kindNames[spec.kind]}, found ${describeNode(node)}`);
        return undefined;
      }
      const text = String(node.value);
      const refusal = spec.rejected?.[text];
      if (refusal !== undefined) {
        sink.report(node, 'option', `${where} '${text}' is not supported: ${refusal}; supported: ${spec.oneOf?.join(', ') ?? 'none'}`);
        return undefined;
      }
      if (spec.oneOf && !spec.oneOf.includes(text)) {
        sink.report(node, 'option', `${where} must be one of ${spec.oneOf.join(', ')}, found '${text}'${didYouMean(text, spec.oneOf)}`);
        return undefined;
      }
      if (spec.kind === 'expression') findings.expressions.push({ source: text, node, where, ...(spec.returns === 'bool' ? { boolean: true } : {}) });
      if (spec.kind === 'module') {
        findings.modules.push({ path: text, node });
        if (findings.moduleDir !== undefined) return path.resolve(findings.moduleDir, text);
      }
      if (spec.kind === 'store' || spec.kind === 'sink' || spec.kind === 'pipeline') {
        findings.references.push({ kind: spec.kind, name: text, node, ...(spec.kind === 'store' ? { access: spec.access ?? 'read-write' } : {}) });
      }
      return text;
    }
    case 'number': case 'integer': {
      const v = isScalar(node) ? node.value : undefined;
      if (typeof v !== 'number' || (spec.kind === 'integer' && !Number.isInteger(v))) {
        sink.report(node, 'wrong-type', `${where} must be ${kindNames[spec.kind]}, found ${describeNode(node)}`);
        return undefined;
      }
      if (spec.positive && !(v > 0)) {
        sink.report(node, 'option', `${where} must be above 0, found ${v}`);
        return undefined;
      }
      return v;
    }
    case 'boolean': {
      const v = isScalar(node) ? node.value : undefined;
      if (typeof v !== 'boolean') {
        sink.report(node, 'wrong-type', `${where} must be ${kindNames.boolean}, found ${describeNode(node)}`);
        return undefined;
      }
      return v;
    }
    case 'duration': {
      const ms = isScalar(node) ? parseDuration(node.value) : undefined;
      const bare = isScalar(node) && ms !== undefined && ms !== 0 && /^\s*\d+(\.\d+)?\s*$/.test(String(node.value));
      if (bare) {
        // A unit-less number silently meant milliseconds, which `grace: 10` rarely means.
        sink.report(node, 'option', `${where} needs a unit: write '${String(node.value).trim()}ms' or '${String(node.value).trim()}s' (units: ms, s, m, h, d), found ${describeNode(node)}`);
        return undefined;
      }
      if (ms === undefined) {
        sink.report(node, isScalar(node) ? 'option' : 'wrong-type', `${where} must be ${kindNames.duration}, found ${describeNode(node)}`);
      } else if (spec.positive && !(ms > 0)) {
        sink.report(node, 'option', `${where} must be a positive duration, found ${describeNode(node)}`);
        return undefined;
      }
      return ms;
    }
    case 'list': {
      if (!isSeq(node)) {
        if (spec.single && isScalar(node) && spec.items) return [checkNode(node, spec.items, sink, findings, where)];
        sink.report(node, 'wrong-type', `${where} must be ${kindNames.list}, found ${describeNode(node)}`);
        return undefined;
      }
      return node.items.map((item, i) =>
        spec.items ? checkNode(item as Node, spec.items, sink, findings, `${where}[${i}]`) : (item as Node)?.toJSON?.());
    }
    case 'object': {
      if (!isMap(node)) {
        if (spec.shorthand && isScalar(node) && spec.fields?.[spec.shorthand]) {
          const value = checkNode(node, spec.fields[spec.shorthand], sink, findings, where);
          return checkFields(undefined, spec, sink, findings, where, { [spec.shorthand]: value });
        }
        sink.report(node, 'wrong-type', `${where} must be ${kindNames.object}, found ${describeNode(node)}`);
        return undefined;
      }
      return spec.fields ? checkFields(node, spec, sink, findings, where, {}) : node.toJSON();
    }
    case 'map': {
      if (!isMap(node)) {
        sink.report(node, 'wrong-type', `${where} must be ${kindNames.map}, found ${describeNode(node)}`);
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const name = keyText(pair);
        if (name === undefined) { sink.report(pair.key as Node, 'wrong-type', `${where} names must be strings`); continue; }
        out[name] = spec.values ? checkNode(pair.value as Node, spec.values, sink, findings, join(where, name)) : (pair.value as Node)?.toJSON?.();
      }
      return out;
    }
    default:
      return node.toJSON();
  }
}

/** Checks the fields of a mapping: unknown keys (with a suggestion), missing required keys, each value. */
export function checkFields(
  node: YAMLMap | undefined, spec: DocSpec, sink: ProblemSink, findings: CheckFindings, where: string,
  preset: Record<string, unknown>,
): Record<string, unknown> {
  const fields = spec.fields ?? {};
  const out: Record<string, unknown> = { ...preset };
  const seen = new Set<string>(Object.keys(preset));
  for (const pair of node?.items ?? []) {
    const name = keyText(pair);
    const retired = name !== undefined ? spec.retired?.[name] : undefined;
    if (retired !== undefined) {
      sink.report(pair.key as Node, 'unknown-key', `${join(where, name!)} is no longer supported: ${retired}`);
      continue;
    }
    if (name === undefined || !(name in fields)) {
      sink.report(pair.key as Node, 'unknown-key',
        `unknown key '${name ?? describeNode(pair.key)}' ${where ? `in ${where}` : 'at top level'}${name ? didYouMean(name, Object.keys(fields)) : ''}`);
      continue;
    }
    seen.add(name);
    const value = pair.value as Node | null;
    if (fields[name].required && (value === null || (isScalar(value) && value.value === null))) {
      sink.report(pair.key as Node, 'missing-key', `${join(where, name)} has no value`);
      continue;
    }
    out[name] = checkNode(pair.value as Node, fields[name], sink, findings, join(where, name));
  }
  for (const [name, field] of Object.entries(fields)) {
    if (seen.has(name)) continue;
    if (field.required) sink.report(node, 'missing-key', `${where || 'the topology'} is missing required key '${name}'`);
    else if (field.default !== undefined) out[name] = resolvedDefault(field);
  }
  return out;
}

/** A field's default as a checked value would hold it (durations in ms). */
function resolvedDefault(field: DocSpec): unknown {
  return field.kind === 'duration' ? parseDuration(field.default as string) : field.default;
}

/**
 * The defaults of an object spec's fields, resolved: what a section the file leaves out holds.
 * The spec is their one owner (a section that is present gets them from checkNode).
 */
export function fieldDefaults(spec: DocSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(spec.fields ?? {})) if (field.default !== undefined) out[name] = resolvedDefault(field);
  return out;
}

function join(where: string, name: string): string {
  return where ? `${where}.${name}` : name;
}

/** The text of a pair's key, or undefined when the key is not a scalar. */
export function keyText(pair: Pair): string | undefined {
  const key = pair.key as Node | null;
  if (isScalar(key) && key.value !== null && typeof key.value !== 'object') return String(key.value);
  return undefined;
}

/** The node at a path of keys and indexes under a node (undefined when absent). */
export function nodeAt(node: Node | null | undefined, path: ReadonlyArray<string | number>): Node | undefined {
  let current: Node | null | undefined = node;
  for (const step of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => keyText(p) === String(step));
      current = pair?.value as Node | undefined;
    } else if (isSeq(current) && typeof step === 'number') {
      current = current.items[step] as Node | undefined;
    } else {
      return undefined;
    }
  }
  return current ?? undefined;
}

/** The value node under a key of a mapping node. */
export function valueOf(node: Node | null | undefined, key: string): Node | undefined {
  return nodeAt(node, [key]);
}

/** The pair of a key in a mapping (to point at the key itself). */
export function pairOf(node: Node | null | undefined, key: string): Pair | undefined {
  return isMap(node) ? node.items.find((p) => keyText(p) === key) : undefined;
}

export type { Scalar };
