import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateRankingModel } from './ranking-model';

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
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const seed = flag('--seed');
  const version = flag('--version');
  const dir = args[0] ?? defaultRankingModelDir;
  const written = writeRankingModel(dir, { seed: seed === undefined ? undefined : Number(seed), version });
  process.stdout.write(`wrote ${written.modelPath} and ${written.manifestPath}\n`);
}
