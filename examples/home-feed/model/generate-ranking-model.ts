import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateRankingModel } from './ranking-model';
import { Command } from 'commander';
import { integer } from '../commands/home-feed-options';

/**
 * Writes the flagship ranking model into a model folder (`model.onnx` and
 * `manifest.json`), the layout `tributary worker --model DIR` and the `score`
 * operator read. Usage: node generate-ranking-model.js [DIR] [--seed N] [--version V]
 */
export function writeRankingModel(dir: string, options: { seed?: number; version?: string } = {}): { modelPath: string; manifestPath: string } {
  const { onnx, manifest } = generateRankingModel(options);
  fs.mkdirSync(dir, { recursive: true });
  const modelPath = path.join(dir, manifest.file);
  const manifestPath = path.join(dir, 'manifest.json');
  // The model goes first so a watcher that sees the new manifest version finds the matching file.
  fs.writeFileSync(modelPath, onnx);
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { modelPath, manifestPath };
}

/** Where the committed copy lives (source tree, not dist/). */
export const defaultRankingModelDir = path.resolve(__dirname, '..', '..', '..', '..', 'examples', 'home-feed', 'model', 'ranker');

if (require.main === module) {
  const command = new Command('node dist/examples/home-feed/model/generate-ranking-model.js')
    .description('writes the home-feed ranking model (ONNX) and its manifest')
    .argument('[dir]', 'model folder', defaultRankingModelDir)
    .option('--seed <n>', 'weights seed', integer('--seed', 0))
    .option('--version <v>', 'model version in the manifest');
  command.parse(process.argv);
  const { seed, version } = command.opts<{ seed?: number; version?: string }>();
  const written = writeRankingModel(command.processedArgs[0] as string, { seed, version });
  process.stdout.write(`wrote ${written.modelPath} and ${written.manifestPath}\n`);
}
