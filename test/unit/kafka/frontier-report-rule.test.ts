import * as assert from 'node:assert/strict';
import { frontiersMoved } from '../../../runtime/kafka/frontier-report-rule';

describe('frontiersMoved (when the other processes must hear of this process\'s event-time frontiers at once)', () => {
  const last = new Map([['a/0', 1_000], ['a/1', 5_000]]);
  const bound = 8_000; // a move of 1,000 ms (an eighth) matters

  it('waits for the keepalive when frontiers moved forward by less than an eighth of the bound', () => {
    assert.equal(frontiersMoved(last, [['a/0', 1_999], ['a/1', 5_000]], bound), false);
    assert.equal(frontiersMoved(last, [['a/0', 1_000], ['a/1', 5_000]], bound), false);
  });

  it('reports a forward move of an eighth of the bound or more', () => {
    assert.equal(frontiersMoved(last, [['a/0', 2_000], ['a/1', 5_000]], bound), true);
  });

  it('reports any move back: the others would otherwise run further ahead than the bound', () => {
    assert.equal(frontiersMoved(last, [['a/0', 999], ['a/1', 5_000]], bound), true);
  });

  it('reports a lane turning idle or blocked, and coming back', () => {
    assert.equal(frontiersMoved(last, [['a/0', Infinity], ['a/1', 5_000]], bound), true);
    assert.equal(frontiersMoved(last, [['a/0', -Infinity], ['a/1', 5_000]], bound), true);
    assert.equal(frontiersMoved(new Map([['a/0', Infinity]]), [['a/0', 1_000]], bound), true);
  });

  it('reports lanes that appeared or left', () => {
    assert.equal(frontiersMoved(last, [['a/0', 1_000]], bound), true);
    assert.equal(frontiersMoved(last, [['a/0', 1_000], ['a/2', 5_000]], bound), true);
    assert.equal(frontiersMoved(new Map(), [['a/0', 1_000]], bound), true);
  });
});
