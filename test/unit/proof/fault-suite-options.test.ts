import { strict as assert } from 'node:assert';
import { parse } from '../../faults/fault-suite';
import { kafkaStreamsApp, tributaryApp } from '../../faults/app-under-test';

const argv = (...args: string[]) => ['node', 'fault-suite.js', ...args];

describe('fault suite options', () => {
  it('keeps the command lines of package.json: --short, --short --instances 2, --crash --guarantee at_least_once', () => {
    const short = parse(argv('--short'));
    assert.deepEqual([short.kills, short.brokerRestarts, short.rebalances, short.wipeStateEvery, short.records, short.rate, short.instances], [3, 1, 1, 3, 6000, 50, 1]);
    assert.equal(parse(argv('--short', '--instances', '2')).instances, 2);
    const crash = parse(argv('--crash', '--guarantee', 'at_least_once'));
    assert.deepEqual([crash.kills, crash.records, crash.keys, crash.guarantee], [10, 200_000, 20_000, 'at_least_once']);
    const scoring = parse(argv('--guarantee', 'exactly_once', '--scoring'));
    assert.deepEqual([scoring.scoring, scoring.workerCrashes, scoring.workerHangs, scoring.app], [true, 2, 2, tributaryApp]);
  });

  it('lets a value given on the command line win over the preset, in any order', () => {
    assert.equal(parse(argv('--kills', '5', '--short')).kills, 5);
    assert.equal(parse(argv('--short', '--kills', '5')).kills, 5);
    assert.equal(parse(argv('--app', 'kafka-streams')).app, kafkaStreamsApp);
  });

  it('refuses contradictions with a message', () => {
    assert.throws(() => parse(argv('--short', '--crash')), /choose one of --short and --crash/);
    assert.throws(() => parse(argv('--worker-crashes', '1')), /need --scoring/);
  });
});
