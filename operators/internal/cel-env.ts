import { celEnv, celFunc, CelScalar, mapType, type CelEnv, type CelFunc } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/**
 * JSON-derived numbers are CEL doubles while literals like `1` are ints; CEL
 * has no implicit promotion, so `value.count + 1` would fail at run time.
 * These overloads promote int to double in mixed arithmetic.
 */
function mixedArithmetic(): CelFunc[] {
  const ops: Array<[string, (a: number, b: number) => number]> = [
    ['_+_', (a, b) => a + b], ['_-_', (a, b) => a - b], ['_*_', (a, b) => a * b], ['_/_', (a, b) => a / b],
  ];
  return ops.flatMap(([name, f]) => [
    celFunc(name, [CelScalar.DOUBLE, CelScalar.INT], CelScalar.DOUBLE, (a, b) => f(a, Number(b))),
    celFunc(name, [CelScalar.INT, CelScalar.DOUBLE], CelScalar.DOUBLE, (a, b) => f(Number(a), b)),
  ]);
}

let sharedEnv: CelEnv | undefined;

/**
 * The one environment every expression is planned in (and type-checked
 * against): the record variables, the standard library, the strings
 * extension and the mixed int/double arithmetic.
 */
export function celExpressionEnv(): CelEnv {
  sharedEnv ??= celEnv({
    variables: { key: CelScalar.DYN, value: CelScalar.DYN, timestamp: CelScalar.INT, headers: mapType(CelScalar.STRING, CelScalar.DYN) },
    funcs: [...strings, ...mixedArithmetic()],
  });
  return sharedEnv;
}
