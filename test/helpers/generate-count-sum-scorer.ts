import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './machine-info';
import { generateCountSumScorer } from './count-sum-scorer-model';

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
  const args = process.argv.slice(2);
  const at = args.indexOf('--version');
  const version = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const written = writeCountSumScorer(args[0] ?? defaultCountSumScorerDir, { version });
  process.stdout.write(`wrote ${written.modelPath} and ${written.manifestPath}\n`);
}
