import { badArgument } from '../../errors.ts';
import { Stream } from '../stream.ts';

declare module '../stream.ts' {
  interface Stream<T> {
    /**
     * Merges this stream with others: every element of any of them passes, in arrival order.
     * @example a.union(b, c).sink(console.log)
     */
    union<U extends unknown[]>(...others: { [K in keyof U]: Stream<U[K]> }): Stream<T | U[number]>;
  }
}

Stream.register('union', function union(this: Stream<any>, ...others: Stream<any>[]) {
  for (const o of others) if (!(o instanceof Stream)) badArgument('union', 'stream', o, 'a Stream');
  const node = new Stream<any>({ clock: this.clock });
  node.kind = 'union';
  this.connect(node);
  for (const o of others) o.connect(node);
  return node;
});
