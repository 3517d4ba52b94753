import { tap } from 'rxjs';
import type { CompiledTopology, GraphNode } from '../../topology/compiled-topology';
import type { TributaryMetrics } from '../telemetry';

/**
 * The topology with every step's operator wrapped to count the records that
 * enter and leave it (`tributary.step.records`, direction in/out). Counting
 * wraps the operator rather than living in it, so every operator, built-in
 * or custom, is measured the same way.
 */
export function withStepMetrics(topology: CompiledTopology, metrics: TributaryMetrics): CompiledTopology {
  const nodes: Record<string, GraphNode> = {};
  for (const [id, node] of Object.entries(topology.nodes)) {
    if (node.kind !== 'processor') {
      nodes[id] = node;
      continue;
    }
    const spec = node.spec;
    nodes[id] = {
      ...node,
      spec: {
        ...spec,
        create(options, context) {
          const operator = spec.create(options, context);
          return (source) => operator(source.pipe(tap(() => metrics.stepRecords(node.id, 'in', 1))))
            .pipe(tap(() => metrics.stepRecords(node.id, 'out', 1)));
        },
      },
    };
  }
  return { ...topology, nodes };
}
