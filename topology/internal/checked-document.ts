import type { Node, Pair, YAMLMap } from 'yaml';
import type { OperatorSpec, ResolvedOptions } from '../../operators/operator-spec';
import type { CompiledSink, CompiledSource, CompiledStore, ErrorPolicy, TopologyTestCase } from '../compiled-topology';
import type { Reference } from './spec-checker';
import type { RecordTypes } from '../../operators/value-type';

/** A step after checking: operator resolved (when it could be), options resolved. */
export interface CheckedStep {
  readonly id: string;
  readonly pipeline: string;
  readonly operator: string;
  readonly spec?: OperatorSpec;
  readonly options: ResolvedOptions;
  readonly onError: ErrorPolicy;
  readonly references: readonly Reference[];
  readonly node: YAMLMap;
  /** `partitions:` of the step: the partition count of the repartition topic in front of it. */
  readonly partitions?: number;
  /** The key and value types of the records the step emits (set once every step is checked; see type-propagation.ts). */
  types?: RecordTypes;
}

export interface CheckedPipeline {
  readonly name: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly steps: readonly CheckedStep[];
  readonly pair: Pair;
  readonly fromNodes: readonly Node[];
  readonly toNodes: readonly Node[];
}

/** The whole file after every check, in file order; the compiler's input. */
export interface CheckedDocument {
  readonly file: string;
  readonly dir: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly sources: ReadonlyMap<string, CompiledSource>;
  readonly sinks: ReadonlyMap<string, CompiledSink>;
  readonly stores: ReadonlyMap<string, CompiledStore>;
  readonly pipelines: ReadonlyMap<string, CheckedPipeline>;
  readonly tests: readonly TopologyTestCase[];
  /** 1-based line and column of a node of the file (for problems found after compiling). */
  readonly positionOf: (node: Node | Pair | undefined) => { line: number; col: number };
}
