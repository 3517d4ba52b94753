import { isCelError, isCelList, isCelMap, isCelUint, parse, plan, type CelInput } from '@bufbuild/cel';
import type { StreamRecord } from '../core/stream-record';
import { RecordError } from '../core/errors';
import { compileFastPath, FAST_PATH_UNSURE } from './internal/cel-fast-path';
import { celExpressionEnv as env } from './internal/cel-env';
import { avroStaticType, DYN, scalar, typeName, type StaticType } from './internal/cel-static-type';
import { CelTypeChecker, isFunctionName, typeIdentifiers } from './internal/cel-type-checker';
import { delimiterProblem } from './internal/cel-delimiters';

/** The names every expression can use. */
export const expressionVariables = ['key', 'value', 'timestamp', 'headers'] as const;

type Expr = ReturnType<typeof parse>['expr'];

/** A problem in an expression, at a character offset within its text. */
export interface ExpressionProblem {
  readonly offset: number;
  readonly message: string;
}

/** Field names of an Avro record schema (parsed .avsc JSON), to check `value.x` paths. */
export type AvroSchemaJson = unknown;

/** A compiled expression: parse and plan once, evaluate per record. */
export interface CelExpression {
  readonly source: string;
  /** Evaluates against a record; throws a {@link RecordError} (not retriable) when evaluation fails. */
  evaluate(record: StreamRecord, extra?: Record<string, unknown>): unknown;
}

/** How {@link compileExpression} evaluates. */
export interface CompileExpressionOptions {
  /**
   * Use the closure-compiled fast path (cel-fast-path.ts) for expressions in
   * its subset, falling back to the full evaluator per record when it is not
   * sure. Default: on, unless the environment has TRIBUTARY_CEL_FAST_PATH=0
   * (to measure against, or to rule the fast path out when chasing a bug).
   */
  readonly fastPath?: boolean;
}

/**
 * Compiles a CEL expression over `key`, `value`, `timestamp` (int, epoch ms)
 * and `headers` (map of string). Config strings are never handed to `eval`.
 * Throws when the text does not parse: validate first to get positions.
 */
export function compileExpression(source: string, options: CompileExpressionOptions = {}): CelExpression {
  const parsed = parse(source);
  const full = compileFull(source, parsed);
  const useFast = options.fastPath ?? process.env.TRIBUTARY_CEL_FAST_PATH !== '0';
  const fast = useFast ? compileFastPath(parsed.expr, usedVariables(parsed.expr)) : undefined;
  if (!fast) return full;
  return {
    source,
    evaluate(record, extra) {
      // Extra bindings may name other variables: those stay on the full evaluator.
      if (extra === undefined) {
        const result = fast(record);
        if (result !== FAST_PATH_UNSURE) return result;
      }
      return full.evaluate(record, extra);
    },
  };
}

/** The full @bufbuild/cel evaluator: plan once, bind the used variables per record. */
function compileFull(source: string, parsed: ReturnType<typeof parse>): CelExpression {
  const run = plan(env(), parsed) as (bindings: Record<string, CelInput>) => unknown;
  // Bind only the variables the expression names: converting a record's
  // unused parts (headers map, key) costs more than evaluating most expressions.
  const used = usedVariables(parsed.expr);
  const [useKey, useValue, useTimestamp, useHeaders] = expressionVariables.map((v) => used.has(v));
  return {
    source,
    evaluate(record, extra) {
      const bindings: Record<string, CelInput> = extra ? { ...(extra as Record<string, CelInput>) } : {};
      if (useKey) bindings.key = celReady(record.key) ? record.key as CelInput : toCel(record.key);
      if (useValue) bindings.value = celReady(record.value) ? record.value as CelInput : toCel(record.value);
      if (useTimestamp) bindings.timestamp = BigInt(Math.trunc(record.timestamp));
      if (useHeaders) bindings.headers = headersToCel(record.headers);
      const result = run(bindings);
      if (isCelError(result)) {
        throw new RecordError(`expression '${source}' failed: ${result.message}`, {
          topic: record.source?.topic, partition: record.source?.partition, offset: record.source?.offset,
        });
      }
      return fromCel(result);
    },
  };
}

/** The identifiers an expression names. */
function usedVariables(expr: Expr): Set<string> {
  const used = new Set<string>();
  walk(expr, new Set(), (e) => { if (e.exprKind.case === 'identExpr') used.add(e.exprKind.value.name); });
  return used;
}

/**
 * Everything wrong with an expression, found without running it, against
 * the value's Avro schema (or dyn without one): see {@link checkExpression}.
 */
export function expressionProblems(
  source: string, valueSchema?: AvroSchemaJson, extraNames: readonly string[] = [], expect: ExpressionExpectation = {},
): ExpressionProblem[] {
  const value = valueSchema !== undefined ? avroStaticType(valueSchema) : DYN;
  return checkExpression(source, { value, extra: Object.fromEntries(extraNames.map((n) => [n, DYN])) }, expect).problems;
}

/** The types of the names an expression is checked with; an absent one is dyn. */
export interface ExpressionScope {
  readonly key?: StaticType;
  readonly value?: StaticType;
  /** Names an option binds besides the record variables, with their types. */
  readonly extra?: Readonly<Record<string, StaticType>>;
}

/**
 * Checks an expression without running it and infers its result type:
 * syntax errors, names other than the record variables (and comprehension
 * variables), fields a closed record type does not have (an Avro schema's,
 * a step's output), and type errors (see internal/cel-type-checker.ts and
 * docs/decisions/0018-cel-type-checking.md): unknown functions, argument
 * counts, operators no overload takes, and, when `expect.boolean`, a result
 * that is not a boolean. The result type is dyn when the text does not parse
 * or cannot be told.
 */
export function checkExpression(source: string, types: ExpressionScope, expect: ExpressionExpectation = {}): { problems: ExpressionProblem[]; type: StaticType } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parseOnce(source);
  } catch (err) {
    const unbalanced = delimiterProblem(source);
    if (unbalanced) return { problems: [{ offset: unbalanced.offset, message: `does not parse: ${unbalanced.message}` }], type: DYN };
    const e = err as { location?: { start?: { offset?: number } }; message?: string };
    const message = String(e.message ?? err).replace(/^<input>:\d+:\d+: /, '')
      // The grammar stops before the token it cannot continue with and says it wanted the end.
      .replace(/^found (.+) but expecting end of input$/, "unexpected '$1' here (an operand or operator is missing or misplaced)");
    return { problems: [{ offset: e.location?.start?.offset ?? 0, message: `does not parse: ${message}` }], type: DYN };
  }
  const positions = parsed.sourceInfo?.positions ?? {};
  const offsetOf = (expr: Expr): number => Number((positions as Record<string, number>)[String(expr.id)] ?? 0);
  const problems: ExpressionProblem[] = [];
  const extraNames = Object.keys(types.extra ?? {});
  const known = new Set<string>([...expressionVariables, ...extraNames]);
  // `strings.quote(x)` parses as a method on an identifier `strings`: a namespace, not a name.
  const namespaces = new Set<Expr>();
  walk(parsed.expr, known, (expr, scope) => {
    const kind = expr.exprKind;
    const target = kind.case === 'callExpr' ? kind.value.target : undefined;
    if (kind.case === 'callExpr' && target?.exprKind.case === 'identExpr' && !scope.has(target.exprKind.value.name)
      && isFunctionName(`${target.exprKind.value.name}.${kind.value.function}`)) namespaces.add(target);
  });
  walk(parsed.expr, known, (expr, scope) => {
    const kind = expr.exprKind;
    if (kind.case === 'identExpr' && !scope.has(kind.value.name) && !namespaces.has(expr) && !typeIdentifiers.has(kind.value.name)) {
      problems.push({
        offset: offsetOf(expr),
        message: `unknown name '${kind.value.name}' (expressions can use ${[...known].join(', ')})`,
      });
    }
  });
  const checker = new CelTypeChecker(positions as Record<string, number>);
  const scope = new Map<string, StaticType>([
    ['key', types.key ?? DYN], ['value', types.value ?? DYN],
    ['timestamp', scalar('int')], ['headers', { kind: 'map', key: scalar('string'), value: DYN }],
    ...Object.entries(types.extra ?? {}),
  ]);
  const result = checker.infer(parsed.expr, scope);
  problems.push(...checker.problems);
  if (expect.boolean && problems.length === 0 && result.kind !== 'dyn' && !(result.kind === 'scalar' && result.name === 'bool')) {
    problems.push({ offset: 0, message: `must be a boolean (true or false), but gives ${typeName(result)}` });
  }
  return { problems: dedupe(problems), type: result };
}

/** Distinct expression texts whose parse {@link parseOnce} keeps (a generated file repeats a few texts thousands of times). */
const PARSED_KEPT = 10_000;
const parsedByText = new Map<string, ReturnType<typeof parse>>();

/**
 * Parses a text once per process while it is among the last
 * {@link PARSED_KEPT} distinct texts parsed (the checks only read the tree);
 * a parse costs 20–70 µs (measured in docs/benchmarks.md), a lookup well under 1.
 */
function parseOnce(source: string): ReturnType<typeof parse> {
  const kept = parsedByText.get(source);
  if (kept) return kept;
  const parsed = parse(source);
  if (parsedByText.size >= PARSED_KEPT) parsedByText.delete(parsedByText.keys().next().value as string);
  parsedByText.set(source, parsed);
  return parsed;
}

/** What the place an expression is written in needs of its result. */
export interface ExpressionExpectation {
  /** A predicate (filter, branch `when`): anything but a boolean fails the record. */
  readonly boolean?: boolean;
}

type Scope = Set<string>;

/** Visits every node with the names in scope (comprehensions bind their variables). */
function walk(expr: Expr | undefined, scope: Scope, visitNode: (expr: Expr, scope: Scope) => void): void {
  if (!expr) return;
  visitNode(expr, scope);
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr': walk(kind.value.operand, scope, visitNode); break;
    case 'callExpr':
      walk(kind.value.target, scope, visitNode);
      for (const arg of kind.value.args) walk(arg, scope, visitNode);
      break;
    case 'listExpr': for (const e of kind.value.elements) walk(e, scope, visitNode); break;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') walk(entry.keyKind.value, scope, visitNode);
        walk(entry.value, scope, visitNode);
      }
      break;
    case 'comprehensionExpr': {
      const c = kind.value;
      walk(c.iterRange, scope, visitNode);
      walk(c.accuInit, scope, visitNode);
      const inner: Scope = new Set([...scope, c.iterVar, c.accuVar, ...(c.iterVar2 ? [c.iterVar2] : [])]);
      walk(c.loopCondition, inner, visitNode);
      walk(c.loopStep, inner, visitNode);
      walk(c.result, inner, visitNode);
      break;
    }
    default: break;
  }
}

function dedupe(problems: ExpressionProblem[]): ExpressionProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.offset}:${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * True when CEL takes the value as it is: plain objects and arrays of
 * scalars, no undefined, no class instances (avsc records, Dates). Checking
 * allocates nothing, so it is cheaper than converting on the common path.
 */
function celReady(value: unknown, depth = 0): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string': case 'number': case 'boolean': case 'bigint': return true;
    case 'object': break;
    default: return false;
  }
  if (depth > 32) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!celReady(item, depth + 1)) return false;
    return true;
  }
  if (value instanceof Uint8Array) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value as Record<string, unknown>) {
    if (!celReady((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** JS value → CEL input: plain objects become maps, undefined becomes null, Long-like stay as they are. */
export function toCel(value: unknown): CelInput {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(toCel);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value as CelInput;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, toCel(v)])) as CelInput;
  if (typeof value === 'object') {
    const out = new Map<string, CelInput>();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out.set(k, toCel(v));
    return out as CelInput;
  }
  return value as CelInput;
}

function headersToCel(headers: StreamRecord['headers']): CelInput {
  const out = new Map<string, CelInput>();
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out.set(k, Buffer.isBuffer(v) ? v.toString('utf8') : v);
  return out as CelInput;
}

/** CEL value → plain JS: maps to objects, lists to arrays, ints to numbers when exact. */
export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  if (isCelUint(value)) return fromCel(value.value);
  if (isCelList(value)) return [...value].map(fromCel);
  if (isCelMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(fromCel(k))] = fromCel(v);
    return out;
  }
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  return value;
}
