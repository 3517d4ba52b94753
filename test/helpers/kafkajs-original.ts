import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';

/** One of kafkajs' own modules, compiled from its file (the module cache holds Tributary's replacement). */
export function kafkajsOriginal<T>(request: string): T {
  const file = require.resolve(request);
  const original = new Module(file);
  original.filename = file;
  original.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  (original as unknown as { _compile(code: string, file: string): void })._compile(fs.readFileSync(file, 'utf8'), file);
  return original.exports as T;
}
