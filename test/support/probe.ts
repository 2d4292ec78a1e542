import type { Pushed } from '../../src/core/index.ts';
import { type Metadata, Stream } from '../../src/index.ts';

/** A test node that emits the metadata it receives (without reference counters), when there is any. */
export class ProbeMetadata extends Stream<unknown[]> {
  constructor(upstream: Stream<any>) {
    super({ clock: upstream.clock });
    upstream.connect(this);
  }

  override update(_x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (metadata === undefined || metadata.length === 0) return;
    return this.emit(metadata.map(({ ref: _ref, ...rest }) => rest));
  }
}

export function probeMetadata(upstream: Stream<any>): Stream<unknown[]> {
  return new ProbeMetadata(upstream);
}
