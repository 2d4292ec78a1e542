// The consumer groups' assignment: partition p of every topic on one member, members in id order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copartitionedAssigner } from '../../../src/connectors/kafka/copartitioned-assigner.ts';

test('partition p of every topic goes to the same member, whatever the order of members and topics', () => {
  const members = new Map([
    ['m-b', {}],
    ['m-a', {}],
  ]);
  const metadata = {
    topics: new Map([
      ['readings', { partitionsCount: 3 }],
      ['sensors', { partitionsCount: 3 }],
      ['other', { partitionsCount: 1 }],
    ]),
  };
  const out = copartitionedAssigner('m-a', members, ['sensors', 'readings', 'other'], metadata);
  const plain = out.map((m) => ({
    memberId: m.memberId,
    assignments: Object.fromEntries([...m.assignments].map(([t, a]) => [t, a.partitions])),
  }));
  assert.deepEqual(plain, [
    { memberId: 'm-a', assignments: { sensors: [0, 2], readings: [0, 2], other: [0] } },
    { memberId: 'm-b', assignments: { sensors: [1], readings: [1] } },
  ]);
  assert.deepEqual(copartitionedAssigner('m-a', new Map(), ['sensors'], metadata), []);
});
