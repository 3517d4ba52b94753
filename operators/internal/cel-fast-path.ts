import type { parse } from '@bufbuild/cel';
import type { StreamRecord } from '../../core/stream-record';
import {
  arithmetic, comparison, equalsScalar, fromRaw, hasField, inOp, indexValue, intDivide, makeAdd, mapKey, modulo,
  negate, safeInt, selectField, sizeOf, stringMethod, toPlain, bail, toInt, toDouble, toStringValue, asciiCase,
} from './cel-fast-values';

type Expr = ReturnType<typeof parse>['expr'];
type ExprNode = NonNullable<Expr>;
type Node = (record: StreamRecord) => unknown;

/** What a fast expression returns when only the full evaluator can tell the result (or the error). */
export const FAST_PATH_UNSURE: unique symbol = Symbol('cel-fast-path-unsure');

/**
 * A CEL expression compiled to plain closures: the record's result as the
 * full evaluator would return it (after `fromCel`), or
 * {@link FAST_PATH_UNSURE}, and then the caller must evaluate the record with
 * the full evaluator. It never throws.
 */
export type FastExpression = (record: StreamRecord) => unknown;

/** Thrown while compiling: the expression uses something outside the subset. */
class Unsupported extends Error {}

const unsupported = (what: string): never => { throw new Unsupported(what); };

/**
 * Compiles the common subset of CEL once from a parsed expression tree into
 * closures (no `eval`, no generated code): the record variables, field
 * selection, `has()`, literals (string, int, double, bool, null), list and
 * map literals, `+ - * / %`, unary `-` and `!`, comparisons, `&& || ?:`,
 * `in`, `size()`, index `a[i]`, `int()`/`double()`/`string()`/`dyn()`, and
 * the string methods `contains`/`startsWith`/`endsWith`/`lowerAscii`/`upperAscii`.
 * Returns undefined when the expression uses anything else (comprehension
 * macros, other functions, uint or bytes literals, messages, optionals):
 * then the whole expression stays on the full evaluator.
 *
 * At run time any case the fast path is not sure of (a type it does not
 * handle, a missing field, an overflow, a division by zero: every error)
 * returns {@link FAST_PATH_UNSURE}, so results and errors stay exactly those
 * of @bufbuild/cel: the fast path only answers when it knows the answer.
 * `variables` are the names the expression uses (all four when omitted).
 *
 * One known difference, on values no serde produces: the full evaluator
 * converts `key`/`value` whole before evaluating, so a value with a
 * reference cycle (or a getter that throws) fails there even when the
 * expression reads only a finite, healthy part of it; the fast path reads
 * only what the expression touches and answers.
 */
export function compileFastPath(expr: Expr, variables?: ReadonlySet<string>): FastExpression | undefined {
  let root: Node;
  try {
    root = expr ? compileRoot(expr) : unsupported('empty');
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  // The full evaluator converts `timestamp` before evaluating, so a bad one fails the record even
  // where the branch that reads it is not taken: leave those records to it.
  const checkTimestamp = variables?.has('timestamp') ?? true;
  return (record) => {
    if (checkTimestamp && !Number.isFinite(record.timestamp)) return FAST_PATH_UNSURE;
    try {
      return root(record);
    } catch {
      // the fast path bailed (or a record's getter threw): the full evaluator decides.
      return FAST_PATH_UNSURE;
    }
  };
}

/** The root converts to plain JS; a map literal with constant string keys builds its object directly. */
function compileRoot(expr: ExprNode): Node {
  const keys = constantStringKeys(expr);
  if (keys && expr.exprKind.case === 'structExpr') {
    const values = expr.exprKind.value.entries.map((e) => compile(e.value ?? unsupported('entry')));
    const n = keys.length;
    return (r) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) out[keys[i]] = toPlain(values[i](r));
      return out;
    };
  }
  const node = compile(expr);
  return (r) => toPlain(node(r));
}

/** The keys of a map literal when all are distinct string constants; undefined otherwise. */
function constantStringKeys(expr: ExprNode): string[] | undefined {
  const kind = expr.exprKind;
  if (kind.case !== 'structExpr' || kind.value.messageName !== '' || kind.value.entries.length === 0) return undefined;
  const keys: string[] = [];
  for (const entry of kind.value.entries) {
    const k = entry.keyKind.case === 'mapKey' ? entry.keyKind.value.exprKind : undefined;
    if (k?.case !== 'constExpr' || k.value.constantKind.case !== 'stringValue') return undefined;
    const key = k.value.constantKind.value;
    if (key === '__proto__' || keys.includes(key)) return undefined;
    keys.push(key);
  }
  return keys;
}

function compile(expr: ExprNode): Node {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'constExpr': return constant(kind.value.constantKind);
    case 'identExpr': return variable(kind.value.name);
    case 'selectExpr': {
      const { operand, field, testOnly } = kind.value;
      if (!operand || field === '__proto__') return unsupported('select');
      const of = compile(operand);
      return testOnly ? (r) => hasField(of(r), field) : (r) => selectField(of(r), field);
    }
    case 'listExpr': {
      if (kind.value.optionalIndices.length > 0) return unsupported('optional list element');
      const elements = kind.value.elements.map(compile);
      return (r) => elements.map((e) => e(r));
    }
    case 'structExpr': return mapLiteral(kind.value);
    case 'callExpr': return call(kind.value);
    default: return unsupported(String(kind.case));
  }
}

type Constant = Extract<ExprNode['exprKind'], { case: 'constExpr' }>['value']['constantKind'];

function constant(c: Constant): Node {
  switch (c.case) {
    case 'stringValue': case 'int64Value': case 'doubleValue': case 'boolValue': {
      const v = c.value;
      return () => v;
    }
    case 'nullValue': return () => null;
    default: return unsupported(`constant ${String(c.case)}`);
  }
}

/** The record variables, bound as compileExpression binds them (see cel-expression.ts). */
function variable(name: string): Node {
  switch (name) {
    case 'value': return (r) => fromRaw(r.value);
    case 'key': return (r) => fromRaw(r.key);
    case 'timestamp': return (r) => (Number.isFinite(r.timestamp) ? BigInt(Math.trunc(r.timestamp)) : bail());
    case 'headers': return (r) => headersMap(r.headers);
    default: return unsupported(`name ${name}`);
  }
}

/** As headersToCel in cel-expression.ts: Buffers read as UTF-8, undefined entries left out. */
function headersMap(headers: StreamRecord['headers']): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out.set(k, Buffer.isBuffer(v) ? v.toString('utf8') : v);
  return out;
}

type StructValue = Extract<ExprNode['exprKind'], { case: 'structExpr' }>['value'];

function mapLiteral(s: StructValue): Node {
  if (s.messageName !== '') return unsupported('message');
  const keys: Node[] = [];
  const values: Node[] = [];
  for (const entry of s.entries) {
    if (entry.optionalEntry || entry.keyKind.case !== 'mapKey' || !entry.value) return unsupported('map entry');
    keys.push(compile(entry.keyKind.value));
    values.push(compile(entry.value));
  }
  const n = keys.length;
  return (r) => {
    const out = new Map<unknown, unknown>();
    for (let i = 0; i < n; i++) {
      const k = mapKey(keys[i](r));
      const v = values[i](r);
      if (out.has(k)) return bail(); // key conflict
      out.set(k, v);
    }
    return out;
  };
}

type Call = Extract<ExprNode['exprKind'], { case: 'callExpr' }>['value'];

const binary: Record<string, (l: unknown, r: unknown) => unknown> = {
  '_+_': makeAdd(),
  '_-_': arithmetic((a, b) => safeInt(a - b), (a, b) => a - b),
  '_*_': arithmetic((a, b) => safeInt(a * b), (a, b) => a * b),
  '_/_': arithmetic(intDivide, (a, b) => a / b),
  '_%_': modulo,
  '_==_': equalsScalar,
  '_!=_': (l, r) => !equalsScalar(l, r),
  '_<_': comparison((a: number, b: number) => a < b),
  '_<=_': comparison((a: number, b: number) => a <= b),
  '_>_': comparison((a: number, b: number) => a > b),
  '_>=_': comparison((a: number, b: number) => a >= b),
  '_[_]': indexValue,
  '@in': inOp,
};

/* eslint-disable @typescript-eslint/unbound-method */
const methods: Record<string, (target: unknown, arg: unknown) => boolean> = {
  contains: stringMethod(String.prototype.includes),
  startsWith: stringMethod(String.prototype.startsWith),
  endsWith: stringMethod(String.prototype.endsWith),
};
/* eslint-enable @typescript-eslint/unbound-method */

const methods0: Record<string, (target: unknown) => unknown> = {
  size: sizeOf,
  lowerAscii: asciiCase(false),
  upperAscii: asciiCase(true),
};

const functions1: Record<string, (arg: unknown) => unknown> = {
  size: sizeOf,
  int: toInt,
  double: toDouble,
  string: toStringValue,
  dyn: (v) => v,
};

function call(c: Call): Node {
  const fn = c.function;
  if (c.target) {
    const target = compile(c.target);
    const method0 = Object.hasOwn(methods0, fn) ? methods0[fn] : undefined;
    if (method0 && c.args.length === 0) return (r) => method0(target(r));
    const method = Object.hasOwn(methods, fn) ? methods[fn] : undefined;
    if (method && c.args.length === 1) {
      const arg = compile(c.args[0]);
      return (r) => method(target(r), arg(r));
    }
    return unsupported(`method ${fn}`);
  }
  const args = c.args.map(compile);
  if (Object.hasOwn(binary, fn) && args.length === 2) {
    const op = binary[fn];
    const [l, rt] = args;
    return (r) => op(l(r), rt(r));
  }
  switch (fn) {
    case '_&&_': return logical(args, false);
    case '_||_': return logical(args, true);
    case '_?_:_': {
      if (args.length !== 3) return unsupported('conditional');
      const [cond, t, f] = args;
      return (r) => {
        const v = cond(r);
        return v === true ? t(r) : v === false ? f(r) : bail();
      };
    }
    case '!_': {
      if (args.length !== 1) return unsupported('!');
      const [a] = args;
      return (r) => {
        const v = a(r);
        return typeof v === 'boolean' ? !v : bail();
      };
    }
    case '-_': {
      if (args.length !== 1) return unsupported('-');
      const [a] = args;
      return (r) => negate(a(r));
    }
    default: {
      const f = Object.hasOwn(functions1, fn) ? functions1[fn] : undefined;
      if (!f || args.length !== 1) return unsupported(`function ${fn}`);
      const [a] = args;
      return (r) => f(a(r));
    }
  }
}

/**
 * `&&` (decisive = false) and `||` (decisive = true), left to right. The
 * first decisive operand decides, as in CEL. An operand that is an error or
 * not a bool before that bails: CEL would still let a later decisive operand
 * absorb it, and the full evaluator does exactly that.
 */
function logical(args: Node[], decisive: boolean): Node {
  return (r) => {
    for (const a of args) {
      const v = a(r);
      if (v === decisive) return decisive;
      if (v !== !decisive) return bail();
    }
    return !decisive;
  };
}
