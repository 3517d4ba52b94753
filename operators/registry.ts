import type { OperatorSpec } from './operator-spec';
import { branch } from './branch';
import { filter } from './filter';
import { flatMap } from './flat-map';
import { map } from './map';
import { merge } from './merge';
import { score } from './score';
import { peek } from './peek';
import { selectKey } from './select-key';
import { to } from './to';

/**
 * Every built-in operator, by name. The list is explicit (no registration by
 * import side effects): add an operator's spec here when you add its file.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const builtinOperators: ReadonlyArray<OperatorSpec<any>> = [
  filter, map, flatMap, selectKey, peek, branch, merge, to,
  score,
];
