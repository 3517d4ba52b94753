import type { OperatorSpec } from './operator-spec';
import { aggregateAverage } from './aggregate-average';
import { aggregateCount } from './aggregate-count';
import { aggregateCustom } from './aggregate';
import { aggregateDecayedCount } from './aggregate-decayed-count';
import { aggregateDecayedEmbedding } from './aggregate-decayed-embedding';
import { aggregateDistinctCount } from './aggregate-distinct-count';
import { aggregateLastN } from './aggregate-last-n';
import { aggregateMax } from './aggregate-max';
import { aggregateMin } from './aggregate-min';
import { aggregateReduce } from './aggregate-reduce';
import { aggregateSum } from './aggregate-sum';
import { aggregateTtlSet } from './aggregate-ttl-set';
import { debounce } from './debounce';
import { dedupe } from './dedupe';
import { emitOnChange } from './emit-on-change';
import { eventTime } from './event-time';
import { joinStreamStream } from './join-stream-stream';
import { joinStreamTable } from './join-stream-table';
import { joinTableTable } from './join-table-table';
import { tableMaterialize } from './table-materialize';
import { throttle } from './throttle';
import { topK } from './top-k';
import { windowHopping } from './window-hopping';
import { windowSession } from './window-session';
import { windowSliding } from './window-sliding';
import { windowTumbling } from './window-tumbling';
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
export const builtinOperators: ReadonlyArray<OperatorSpec> = [
  filter, map, flatMap, selectKey, peek, branch, merge, to,
  score,
  aggregateCount, aggregateSum, aggregateMin, aggregateMax, aggregateAverage, aggregateReduce, aggregateCustom, aggregateDistinctCount,
  aggregateDecayedCount, aggregateLastN, aggregateDecayedEmbedding, aggregateTtlSet,
  windowTumbling, windowHopping, windowSliding, windowSession,
  tableMaterialize, joinStreamTable, joinStreamStream, joinTableTable,
  eventTime, topK, emitOnChange, debounce, throttle, dedupe,
];
