import type { parse } from '@bufbuild/cel';
import { closest, distance } from 'fastest-levenshtein';
import { celExpressionEnv } from './cel-env';
import { assignable, BOOL, DYN, fromCelType, join, recordOf, scalar, typeName, type RecordType, type StaticType } from './cel-static-type';

type Expr = NonNullable<ReturnType<typeof parse>['expr']>;

/** A type problem at a character offset of the expression. */
export interface TypeProblem {
  readonly offset: number;
  readonly message: string;
}

interface Overload {
  readonly target?: StaticType;
  readonly args: readonly StaticType[];
  readonly result: StaticType;
}

let registry: Map<string, Overload[]> | undefined;

/** Every function of the evaluation environment by name, with its overloads' static types. */
function functions(): Map<string, Overload[]> {
  if (registry) return registry;
  registry = new Map();
  for (const f of celExpressionEnv().funcs) {
    const list = registry.get(f.name) ?? [];
    list.push({ ...(f.target ? { target: fromCelType(f.target) } : {}), args: f.arguments.map(fromCelType), result: fromCelType(f.result) });
    registry.set(f.name, list);
  }
  return registry;
}

/** Whether the environment has a function or method of this (possibly namespaced) name. */
export function isFunctionName(name: string): boolean {
  return functions().has(name);
}

/** Type names, which CEL also binds as identifiers (`type(x) == int`). */
export const typeIdentifiers: ReadonlySet<string> = new Set(['int', 'uint', 'double', 'string', 'bool', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

const operatorNames: Record<string, string> = {
  '_+_': '+', '_-_': '-', '_*_': '*', '_/_': '/', '_%_': '%', '_<_': '<', '_<=_': '<=', '_>_': '>', '_>=_': '>=',
  '-_': 'unary -', '@in': 'in', '_==_': '==', '_!=_': '!=',
};

/** Macros the parser expands only with the right arguments; any other call of them reaches no function. */
const macros: Record<string, string> = {
  has: 'one field selection: has(value.field)',
  all: 'a variable and a predicate: list.all(x, x > 0)',
  exists: 'a variable and a predicate: list.exists(x, x > 0)',
  exists_one: 'a variable and a predicate: list.exists_one(x, x > 0)',
  map: 'a variable and an expression: list.map(x, x * 2), or with a filter: list.map(x, x > 0, x * 2)',
  filter: 'a variable and a predicate: list.filter(x, x > 0)',
};

/** A user-written function name (not an operator or a parser-internal one such as `_?._`). */
const userFunction = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/**
 * A static checker for the CEL Tributary runs: it infers a type for every
 * node from the variables' declared types and the overloads of the very
 * environment expressions are planned in, and reports what would fail for
 * every record: calls of functions that do not exist, argument counts no
 * overload takes, operators applied to types no overload takes (`double >
 * string`), fields selected on scalars, and `&&`, `||`, `!` and `?:`
 * conditions that are not booleans. Anything whose type it cannot tell is
 * `dyn`, and nothing is reported because of a dyn type.
 */
export class CelTypeChecker {
  readonly problems: TypeProblem[] = [];

  constructor(private readonly positions: Readonly<Record<string, number>>) {}

  private offsetOf(expr: Expr): number {
    return Number(this.positions[String(expr.id)] ?? 0);
  }

  private report(expr: Expr, message: string, shift = 0): void {
    this.problems.push({ offset: this.offsetOf(expr) + shift, message });
  }

  /** The static type of an expression in a scope of variable types. */
  infer(expr: Expr | undefined, scope: ReadonlyMap<string, StaticType>): StaticType {
    if (!expr) return DYN;
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr': return constantType(kind.value.constantKind.case);
      case 'identExpr': {
        const name = kind.value.name;
        return scope.get(name) ?? (typeIdentifiers.has(name) ? scalar('type') : DYN);
      }
      case 'selectExpr': {
        const operand = this.infer(kind.value.operand, scope);
        if (kind.value.testOnly) return BOOL;
        return this.select(expr, operand, kind.value.field, kind.value.operand);
      }
      case 'callExpr': return this.call(expr, kind.value, scope);
      case 'listExpr': {
        const types = kind.value.elements.map((e) => this.infer(e, scope));
        return { kind: 'list', element: types.length === 0 ? DYN : types.reduce(join) };
      }
      case 'structExpr': {
        const entries = kind.value.entries;
        const keys = entries.map((e) => (e.keyKind.case === 'mapKey' ? this.infer(e.keyKind.value, scope) : DYN));
        const values = entries.map((e) => this.infer(e.value, scope));
        if (kind.value.messageName) return DYN;
        // `{"user": value.userId, "n": 1}`: a record of known fields, so a later step's `value.usr` is caught.
        const names = entries.map((e) => (e.keyKind.case === 'mapKey' && e.keyKind.value?.exprKind.case === 'constExpr'
          && e.keyKind.value.exprKind.value.constantKind.case === 'stringValue' ? e.keyKind.value.exprKind.value.constantKind.value : undefined));
        if (entries.length > 0 && names.every((n) => n !== undefined) && new Set(names).size === names.length) {
          return recordOf('map', names.map((n, i): [string, StaticType] => [n as string, values[i]]), 'the map literal');
        }
        return { kind: 'map', key: keys.length === 0 ? DYN : keys.reduce(join), value: values.length === 0 ? DYN : values.reduce(join) };
      }
      case 'comprehensionExpr': {
        const c = kind.value;
        const range = this.infer(c.iterRange, scope);
        const accu = this.infer(c.accuInit, scope);
        const inner = new Map(scope);
        const [first, second] = iterationTypes(range);
        if (c.iterVar2) { inner.set(c.iterVar, first); inner.set(c.iterVar2, second); } else inner.set(c.iterVar, first);
        inner.set(c.accuVar, accu.kind === 'list' ? { kind: 'list', element: DYN } : accu);
        this.infer(c.loopCondition, inner);
        this.infer(c.loopStep, inner);
        return this.infer(c.result, inner);
      }
      default: return DYN;
    }
  }

  private select(expr: Expr, operand: StaticType, field: string, operandExpr: Expr | undefined): StaticType {
    switch (operand.kind) {
      case 'record': {
        const type = operand.fields.get(field);
        if (type) return type;
        // A closed record (an Avro record, a step's declared output) has no other field: selecting one fails for every record.
        if (!operand.open) this.report(expr, missingFieldMessage(operand, field, operandExpr), 1);
        return DYN;
      }
      case 'map': return operand.value;
      case 'scalar': case 'list':
        this.report(expr, `cannot select '.${field}' on a ${typeName(operand)}${originNote(operand)}`);
        return DYN;
      default: return DYN;
    }
  }

  private call(expr: Expr, call: Extract<Expr['exprKind'], { case: 'callExpr' }>['value'], scope: ReadonlyMap<string, StaticType>): StaticType {
    const name = call.function;
    switch (name) {
      case '_&&_': case '_||_': case '!_': {
        const word = name === '!_' ? "'!'" : `'${name.slice(1, -1)}'`;
        for (const arg of call.args) this.expectBool(arg, this.infer(arg, scope), `${word} takes booleans`);
        return BOOL;
      }
      case '_?_:_': {
        const [cond, yes, no] = call.args;
        this.expectBool(cond, this.infer(cond, scope), "the condition of '? :' must be a boolean");
        return join(this.infer(yes, scope), this.infer(no, scope));
      }
      case '@not_strictly_false': this.infer(call.args[0], scope); return BOOL;
      case '_==_': case '_!=_': for (const arg of call.args) this.infer(arg, scope); return BOOL;
      case '_[_]': {
        const [container, index] = call.args.map((a) => this.infer(a, scope));
        return this.index(expr, container, index, call.args[1]);
      }
      default: break;
    }
    // `strings.quote(x)` parses as a method on the name `strings`: a namespaced function.
    const target = call.target;
    let qualified: string | undefined;
    if (target?.exprKind.case === 'identExpr' && !scope.has(target.exprKind.value.name)) {
      qualified = `${target.exprKind.value.name}.${name}`;
    }
    const all = functions();
    const asGlobal = qualified !== undefined && all.has(qualified);
    const fnName = asGlobal ? qualified! : name;
    const targetType = target && !asGlobal ? this.infer(target, scope) : undefined;
    const argTypes = call.args.map((a) => this.infer(a, scope));
    const overloads = all.get(fnName);
    if (!overloads) {
      if (!userFunction.test(name)) return DYN;
      const macro = macros[name];
      if (macro && qualified === undefined) {
        this.report(expr, `'${name}' is a macro and needs ${macro}`);
        return DYN;
      }
      this.report(expr, `unknown function '${qualified ?? name}'${suggestion(name, all, target !== undefined && !asGlobal)}`);
      return DYN;
    }
    const isMethod = targetType !== undefined;
    const shaped = overloads.filter((o) => (o.target !== undefined) === isMethod && o.args.length === argTypes.length);
    if (shaped.length === 0) {
      this.report(expr, arityMessage(fnName, overloads, isMethod, argTypes.length));
      return DYN;
    }
    const matching = shaped.filter((o) => (!o.target || assignable(targetType!, o.target)) && o.args.every((p, i) => assignable(argTypes[i], p)));
    if (matching.length === 0) {
      const shown = [...(targetType ? [targetType] : []), ...argTypes];
      const notes = shown.map(originNote).filter((n) => n !== '').join('');
      const args = argTypes.map(typeName).join(', ');
      this.report(expr, isMethod
        ? `there is no method ${fnName}(${args}) on ${typeName(targetType!)}${notes}`
        : `no overload of ${operatorNames[fnName] ? `operator '${operatorNames[fnName]}'` : `function '${fnName}'`} takes (${args})${notes}`);
      return DYN;
    }
    const results = matching.map((o) => o.result);
    return results.reduce(join);
  }

  private index(expr: Expr, container: StaticType, index: StaticType, indexExpr: Expr | undefined): StaticType {
    switch (container.kind) {
      case 'list': return container.element;
      case 'map': return container.value;
      case 'record': {
        const key = indexExpr?.exprKind.case === 'constExpr' && indexExpr.exprKind.value.constantKind.case === 'stringValue'
          ? indexExpr.exprKind.value.constantKind.value : undefined;
        return key !== undefined ? container.fields.get(key) ?? DYN : DYN;
      }
      case 'scalar':
        this.report(expr, `cannot index a ${typeName(container)}${originNote(container)} with [${typeName(index)}]`);
        return DYN;
      default: return DYN;
    }
  }

  private expectBool(expr: Expr | undefined, type: StaticType, what: string): void {
    if (!expr || type.kind === 'dyn') return;
    if (type.kind === 'scalar' && type.name === 'bool') return;
    this.report(expr, `${what}, found ${typeName(type)}${originNote(type)}`);
  }
}

/** `value.meta has no field 'surfce' in schema Meta (did you mean 'surface'?)`. */
function missingFieldMessage(record: RecordType, field: string, operandExpr: Expr | undefined): string {
  const path = operandExpr ? selectText(operandExpr) : undefined;
  const names = [...record.fields.keys()];
  const close = names.filter((n) => n.toLowerCase() === field.toLowerCase() || distance(n, field) <= Math.max(1, Math.floor(n.length / 3)));
  const hint = close.length > 0 ? ` (did you mean '${close[0]}'?)` : ` (fields: ${names.join(', ')})`;
  return `${path ?? 'the record'} has no field '${field}'${record.from ? ` in ${record.from}` : ''}${hint}`;
}

/** `value.meta` for a chain of selections on a name; undefined for anything else. */
function selectText(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case === 'selectExpr' && !kind.value.testOnly && kind.value.operand) {
    const head = selectText(kind.value.operand);
    return head === undefined ? undefined : `${head}.${kind.value.field}`;
  }
  return undefined;
}

function constantType(kind: string | undefined): StaticType {
  switch (kind) {
    case 'boolValue': return BOOL;
    case 'int64Value': return scalar('int');
    case 'uint64Value': return scalar('uint');
    case 'doubleValue': return scalar('double');
    case 'stringValue': return scalar('string');
    case 'bytesValue': return scalar('bytes');
    case 'nullValue': return scalar('null_type');
    default: return DYN;
  }
}

/** What a comprehension's variables range over: list elements, or map keys and values. */
function iterationTypes(range: StaticType): [StaticType, StaticType] {
  switch (range.kind) {
    case 'list': return [range.element, DYN];
    case 'map': return [range.key, range.value];
    case 'record': return [scalar('string'), DYN];
    default: return [DYN, DYN];
  }
}

function originNote(t: StaticType): string {
  return 'origin' in t && t.origin && / is /.test(t.origin) ? ` (${t.origin})` : '';
}

function suggestion(name: string, all: Map<string, Overload[]>, method: boolean): string {
  const names = [...all.entries()].filter(([n, o]) => userFunction.test(n) && o.some((x) => (x.target !== undefined) === method)).map(([n]) => n);
  if (names.length === 0) return '';
  const best = closest(name, names);
  return distance(name.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.ceil(best.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

function arityMessage(name: string, overloads: readonly Overload[], isMethod: boolean, count: number): string {
  const same = overloads.filter((o) => (o.target !== undefined) === isMethod);
  if (same.length === 0) {
    return isMethod
      ? `'${name}' is a function, not a method: write ${name}(x${overloads[0].args.length > 1 ? ', ...' : ''}) instead of x.${name}(...)`
      : `'${name}' is a method: write x.${name}(${overloads[0].args.length > 0 ? '...' : ''}) instead of ${name}(x, ...)`;
  }
  const counts = [...new Set(same.map((o) => o.args.length))].sort((a, b) => a - b);
  const takes = counts.length === 1 ? `${counts[0]}` : `${counts.slice(0, -1).join(', ')} or ${counts[counts.length - 1]}`;
  return `${isMethod ? 'method' : 'function'} '${name}' takes ${takes} argument${counts.length === 1 && counts[0] === 1 ? '' : 's'}, found ${count}`;
}
