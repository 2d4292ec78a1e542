import { Stream } from '../core/stream.ts';
import { badArgument } from '../errors.ts';
import { applicationOfStream } from './application.ts';

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Merges this stream of an application with another of the same application (Quix Streams' `concat`): records
     * of both topics flow on, each with its offsets committed as it is done. A window or other state right after it
     * would mix the partitions of two topics: re-key the merged stream with `groupBy` first.
     * @example
     * app.stream(north).concat(app.stream(south)).groupBy('sensor').tumblingWindow('1m').agg({ n: count() }).final();
     */
    concat<U>(other: Stream<U>): Stream<T | U>;
  }
}

Stream.register('concat', function concat(this: Stream<any>, other: Stream<any>) {
  const app = applicationOfStream(this, 'concat');
  if (!(other instanceof Stream)) badArgument('concat', 'other', other, 'a stream of the same application');
  if (applicationOfStream(other, 'concat') !== app) {
    badArgument('concat', 'other', other?.name, 'a stream of the same application');
  }
  return this.union(other).named('concat');
});
