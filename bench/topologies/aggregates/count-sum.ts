/**
 * The count+sum benchmark's state as a module of the built-in `aggregate` operator
 * (bench-count-sum-aggregate.yaml): what a user writes instead of a custom operator.
 * The output value is the accumulator (bench/schemas/bench-aggregate.avsc).
 */
interface CountSum {
  count: number;
  sum: number;
}

export function init(): CountSum {
  return { count: 0, sum: 0 };
}

/** `amount` is an Avro long: a number, or a bigint where it does not fit one. */
export function add(acc: CountSum, amount: number | bigint): CountSum {
  return { count: acc.count + 1, sum: acc.sum + Number(amount) };
}
