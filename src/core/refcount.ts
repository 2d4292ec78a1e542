/**
 * Counts the nodes of a graph that still hold an element. Every node that keeps an element past the call that
 * delivered it (a buffer, a window, a zip...) retains its counters and releases them when it lets go; when the
 * count returns to zero the callback fires. Kafka sources commit an offset there: at-least-once delivery.
 *
 * @example
 * const ref = new RefCounter(() => console.log('every node is done with it'));
 * source.emit(record, [{ ref }]);
 */
export class RefCounter {
  private n: number;
  private readonly onZero: (() => void) | undefined;

  constructor(onZero?: () => void, initial = 0) {
    this.onZero = onZero;
    this.n = initial;
  }

  /** How many holders the element has now. */
  get count(): number {
    return this.n;
  }

  retain(n = 1): void {
    this.n += n;
  }

  release(n = 1): void {
    this.n -= n;
    if (this.n <= 0) {
      this.n = 0;
      this.onZero?.();
    }
  }
}

/** One entry of an element's metadata: free-form fields, and an optional reference counter. */
export interface MetadataEntry {
  readonly ref?: RefCounter;
  readonly [key: string]: unknown;
}

/** Metadata travels with an element through the graph: a list, because joins concatenate their inputs' lists. */
export type Metadata = readonly MetadataEntry[];

/** @internal Retains every counter in `metadata` `n` times. */
export function retainRefs(metadata: Metadata | undefined, n = 1): void {
  if (metadata === undefined) return;
  for (let i = 0; i < metadata.length; i++) metadata[i]!.ref?.retain(n);
}

/** @internal Releases every counter in `metadata` once. */
export function releaseRefs(metadata: Metadata | undefined): void {
  if (metadata === undefined) return;
  for (let i = 0; i < metadata.length; i++) metadata[i]!.ref?.release();
}

/** @internal Concatenates the metadata of several held elements, as a join or a window emits it. */
export function concatMetadata(parts: readonly (Metadata | undefined)[]): Metadata | undefined {
  let out: MetadataEntry[] | undefined;
  for (const p of parts) {
    if (p === undefined || p.length === 0) continue;
    out ??= [];
    for (let i = 0; i < p.length; i++) out.push(p[i]!);
  }
  return out;
}
