import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { importCircles, importGraph } from './import-graph';
import { layerViolations } from './layer-rules';

// dist/test/unit/architecture -> the repository root; the rule reads the TypeScript sources.
const repoRoot = path.join(__dirname, '..', '..', '..', '..');
const fixtures = 'test/unit/architecture/fixtures';

describe('import layers (ARCHITECTURE.md, "Folders")', () => {
  const graph = importGraph(repoRoot, [fixtures]);

  it('reads the imports of the whole repository', () => {
    assert.ok(graph.files.length > 300, `only ${graph.files.length} files found under ${repoRoot}`);
    assert.ok(graph.edges.some((edge) => edge.from === 'operators/operator-spec.ts' && edge.to === 'core/stream-record.ts'));
  });

  it('has no import that goes up a layer, sideways between siblings, or into another area\'s internal/', () => {
    assert.deepEqual(layerViolations(graph.edges), []);
  });

  it('has no import circle between files', () => {
    assert.deepEqual(importCircles(graph.files, graph.edges), []);
  });

  describe('on a tree that breaks every rule', () => {
    const broken = importGraph(path.join(repoRoot, fixtures, 'broken-tree'));

    it('names the upward import, the internal/ import and the file in no layer', () => {
      assert.deepEqual(layerViolations(broken.edges).sort(), [
        'core/record.ts imports operators/double.ts: core may not import operators, a layer above it',
        'misc/orphan.ts imports runtime/state/store.ts: misc/orphan.ts is in no layer; add its folder to layer-rules.ts',
        'topology/compile.ts imports operators/internal/twice.ts: only files under operators/ may use its internal/',
      ]);
    });

    it('finds the circle', () => {
      assert.deepEqual(importCircles(broken.files, broken.edges), [['topology/ring-b.ts', 'topology/ring-c.ts']]);
    });
  });
});
