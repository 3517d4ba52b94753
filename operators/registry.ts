import type { OperatorSpec } from './operator-spec';

/**
 * Every built-in operator, by name. The list is explicit (no registration by
 * import side effects): add an operator's spec here when you add its file.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const builtinOperators: ReadonlyArray<OperatorSpec<any>> = [
];
