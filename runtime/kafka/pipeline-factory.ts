import type { CompiledTopology } from '../../topology/compiled-topology';
import { TaskPipeline } from '../processing/task-pipeline';
import type { ScoringService } from '../../core/scoring/scoring-service';
import { withGlobalStores } from '../state/global-store';
import type { TaskResources } from './stream-app';
import type { BatchPipeline } from './stream-task';
import type { StepMeter } from '../processing/step-meter';

/**
 * A task's in-process pipeline: the sub-topology's operators over the task's
 * stores and the process-wide scoring service, measured by `meter` when given. Wall-clock punctuation requests
 * go to the app, which runs them on the task's queue.
 */
export async function createTaskPipeline(
  topology: CompiledTopology,
  resources: TaskResources,
  options: { scoring?: ScoringService; meter?: StepMeter } = {},
): Promise<BatchPipeline> {
  const pipeline = new TaskPipeline(topology, resources.subTopology, {
    taskId: resources.taskId,
    stores: withGlobalStores(resources.stores, resources.globalStores),
    scoring: options.scoring,
    meter: options.meter,
    onPunctuationRequest: (intervalMs) => resources.schedulePunctuation(intervalMs),
  });
  return {
    process: (topic, records) => pipeline.process(topic, records),
    punctuate: () => pipeline.punctuate(),
    close: () => pipeline.close(),
  };
}
