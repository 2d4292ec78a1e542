/**
 * The partition assignment of twinstream's consumer groups: partition p of every topic goes to the same member
 * (the p-th modulo the members, sorted by id), so topics with the same partition count are read co-partitioned, as
 * Kafka's range assignor does, and a join of partition p of two topics (`joinLookup`) finds both on one instance.
 * The client's round robin would continue from topic to topic and split them.
 * @internal
 * @example
 * new Consumer({ ...options, partitionAssigner: copartitionedAssigner });
 */
export function copartitionedAssigner(
  _current: string,
  members: Map<string, unknown>,
  topics: Iterable<string>,
  metadata: { topics: Map<string, { partitionsCount: number }> },
): { memberId: string; assignments: Map<string, { topic: string; partitions: number[] }> }[] {
  const ids = [...members.keys()].sort();
  const out = ids.map((memberId) => ({
    memberId,
    assignments: new Map<string, { topic: string; partitions: number[] }>(),
  }));
  if (out.length === 0) return out;
  for (const topic of topics) {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
    for (let p = 0; p < count; p++) {
      const member = out[p % out.length]!;
      let a = member.assignments.get(topic);
      if (a === undefined) member.assignments.set(topic, (a = { topic, partitions: [] }));
      a.partitions.push(p);
    }
  }
  return out;
}
