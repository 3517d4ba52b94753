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

  describe('with the leading edge known (the latest frontier of any lane)', () => {
    // Bound 8,000: a limit `f + 8,000` is near when a lane at the edge is within 1,000 of it.
    it('lets a move back wait when its new limit is far beyond the leading edge: nobody is near it', () => {
      assert.equal(frontiersMoved(last, [['a/0', 999], ['a/1', 5_000]], bound, 7_000), false);
      // A caught-up lane taking a batch again, live: its head is close to the edge.
      assert.equal(frontiersMoved(new Map([['a/0', Infinity]]), [['a/0', 6_500]], bound, 7_000), false);
    });

    it('reports a move back at once when a lane at the leading edge is within an eighth of the bound of the new limit', () => {
      assert.equal(frontiersMoved(last, [['a/0', 999], ['a/1', 5_000]], bound, 7_999), true);
      assert.equal(frontiersMoved(new Map([['a/0', Infinity]]), [['a/0', 1_000]], bound, 8_000), true);
    });

    it('lets a lane catching up wait when nobody was near the limit it set, and reports it when someone was', () => {
      assert.equal(frontiersMoved(last, [['a/0', Infinity], ['a/1', 5_000]], bound, 7_000), false);
      assert.equal(frontiersMoved(last, [['a/0', Infinity], ['a/1', 5_000]], bound, 8_000), true);
      assert.equal(frontiersMoved(last, [['a/0', 2_000], ['a/1', 5_000]], bound, 8_000), true);
      assert.equal(frontiersMoved(last, [['a/0', 1_999], ['a/1', 5_000]], bound, 9_000), false);
    });

    it('always reports a lane turning blocked, appearing or leaving, and a blocked lane moving on', () => {
      assert.equal(frontiersMoved(last, [['a/0', -Infinity], ['a/1', 5_000]], bound, -Infinity), true);
      assert.equal(frontiersMoved(last, [['a/0', 1_000]], bound, -Infinity), true);
      assert.equal(frontiersMoved(new Map([['a/0', -Infinity]]), [['a/0', 1_000]], bound, -Infinity), true);
    });

    it('without a leading edge (Infinity) behaves as when every lane is near: every big move counts', () => {
      assert.equal(frontiersMoved(last, [['a/0', Infinity], ['a/1', 5_000]], bound, Infinity), true);
      assert.equal(frontiersMoved(last, [['a/0', 999], ['a/1', 5_000]], bound, Infinity), true);
    });
  });

  describe('with the latest frontier this process has reported (sentEdge)', () => {
    it('reports at once when its latest finite frontier is an eighth of the bound past what it reported, so the others\' leading edge stays fresh', () => {
      // Nobody near any limit (edge 5,000), yet this process's lead moved on by 1,000: tell the others.
      assert.equal(frontiersMoved(last, [['a/0', 1_000], ['a/1', 6_000]], bound, 5_000, 5_000), true);
      assert.equal(frontiersMoved(last, [['a/0', 1_000], ['a/1', 5_999]], bound, 5_000, 5_000), false);
    });

    it('does not count lanes that are idle or blocked, nor a lane coming back below what was reported', () => {
      assert.equal(frontiersMoved(new Map([['a/0', 5_000]]), [['a/0', Infinity]], bound, 5_000, 5_000), false);
      assert.equal(frontiersMoved(new Map([['a/0', Infinity]]), [['a/0', 5_500]], bound, 5_000, 5_000), false);
    });
  });
});
