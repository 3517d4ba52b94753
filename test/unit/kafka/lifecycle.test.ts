import { strict as assert } from 'node:assert';
import { Lifecycle } from '../../../runtime/kafka/lifecycle';

describe('Lifecycle (a transition map)', () => {
  type S = 'created' | 'running' | 'stopped';
  const map: Record<S, readonly S[]> = { created: ['running', 'stopped'], running: ['stopped'], stopped: [] };

  it('moves along the listed transitions', () => {
    const l = new Lifecycle<S>('the thing', 'created', map);
    l.moveTo('running');
    assert.ok(l.is('running'));
    l.moveTo('stopped');
    assert.equal(l.state, 'stopped');
  });

  it('refuses one the map does not list, naming both states', () => {
    const l = new Lifecycle<S>('the thing', 'created', map);
    l.moveTo('stopped');
    assert.throws(() => l.moveTo('running'), /^Error: the thing cannot go from stopped to running$/);
    assert.equal(l.state, 'stopped');
  });
});
