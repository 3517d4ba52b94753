import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';
import { importGraph } from './import-graph';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

// What `tributary` runs: the launcher's two modules (bin/tributary.js) and the scoring worker thread's script.
const entries = ['runtime/cli/main.ts', 'runtime/kafka/client/kafkajs/kafkajs-patches.ts', 'runtime/scoring/internal/scoring-worker.ts'];

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

describe('package.json dependencies', () => {
  it('holds every package the tributary command can load; devDependencies hold only what examples, benchmarks and tests use', () => {
    for (const entry of entries) assert.ok(fs.existsSync(path.join(root, entry)), `entry ${entry} exists`);
    const { edges } = importGraph(root, ['test', 'bench']);
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const reached = new Set<string>(entries);
    const queue = [...entries];
    while (queue.length > 0) for (const to of next.get(queue.pop()!) ?? []) if (!reached.has(to)) { reached.add(to); queue.push(to); }

    const used = new Map<string, string>();
    for (const file of reached) {
      const info = ts.preProcessFile(fs.readFileSync(path.join(root, file), 'utf8'), true, true);
      for (const { fileName } of info.importedFiles) {
        if (fileName.startsWith('.') || fileName.startsWith('node:') || builtinModules.includes(fileName)) continue;
        if (!used.has(packageOf(fileName))) used.set(packageOf(fileName), file);
      }
    }
    for (const [name, file] of used) {
      assert.ok(pkg.dependencies[name] !== undefined, `${name} (imported by ${file}, which tributary loads) must be a dependency, not ${pkg.devDependencies[name] ? 'a devDependency' : 'missing'}`);
    }
    // The compression codecs, loaded lazily by name on the first batch that needs one (kafkajs-codecs.ts).
    const codecs = fs.readFileSync(path.join(root, 'runtime/kafka/client/kafkajs/kafkajs-codecs.ts'), 'utf8');
    const loadedOtherwise = new Set([...codecs.matchAll(/lazyPackage<\w+>\('\w+', '([^']+)'\)/g)].map((m) => m[1]));
    assert.deepEqual([...loadedOtherwise].sort(), ['@mongodb-js/zstd', 'lz4-napi', 'snappy']);
    // Packages whose files are run rather than imported (the buf binary that compiles .proto files).
    for (const file of reached) {
      for (const m of fs.readFileSync(path.join(root, file), 'utf8').matchAll(/require\.resolve\('([^'.][^']*)'\)/g)) loadedOtherwise.add(packageOf(m[1]));
    }
    for (const name of Object.keys(pkg.dependencies)) {
      assert.ok(used.has(name) || loadedOtherwise.has(name), `${name} is a dependency that nothing tributary loads imports: a devDependency?`);
    }
  });
});
