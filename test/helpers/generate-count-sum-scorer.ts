import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './machine-info';
import { generateCountSumScorer } from './count-sum-scorer-model';
import { parseScriptOptions, scriptCommand } from './script-options';

/** Where the committed copy lives (source tree, not dist/); the scored count+sum topology names it. */
export const defaultCountSumScorerDir = path.join(REPO_ROOT, 'bench', 'models', 'count-sum-scorer');

/**
 * Writes the fault suite's scoring model into a model folder (`model.onnx`
 * and `manifest.json`), the layout `tributary worker --model DIR` and the
 * `score` operator read. Usage: node generate-count-sum-scorer.js [DIR] [--version V]
 */
export function writeCountSumScorer(dir: string, options: { version?: string } = {}): { modelPath: string; manifestPath: string } {
  const { onnx, manifest } = generateCountSumScorer(options);
  fs.mkdirSync(dir, { recursive: true });
  const modelPath = path.join(dir, manifest.file);
  const manifestPath = path.join(dir, 'manifest.json');
  // The model goes first so a watcher that sees a new manifest version finds the matching file.
  fs.writeFileSync(modelPath, onnx);
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { modelPath, manifestPath };
}

if (require.main === module) {
  const command = scriptCommand('dist/test/helpers/generate-count-sum-scorer.js', 'writes the count+sum scorer model (ONNX) and its manifest')
    .argument('[dir]', 'model folder', defaultCountSumScorerDir)
    .option('--version <v>', 'model version in the manifest');
  const { version } = parseScriptOptions<{ version?: string }>(command);
  const written = writeCountSumScorer(command.processedArgs[0] as string, { version });
  process.stdout.write(`wrote ${written.modelPath} and ${written.manifestPath}\n`);
}
