import { type Metadata, RefCounter } from '../../core/refcount.ts';

/**
 * The reference counter of one unit of outside input (an MQTT message, an HTTP request's elements, a WebSocket
 * frame) that calls back once, when every node of the graph has let go of every element made from it: the moment
 * a connector acknowledges upstream (PUBACK, `202 Accepted`, a committed position). The Kafka source's offset
 * tracking is the ordered form of the same idea; this is the per-unit form, for peers that acknowledge each unit
 * on its own.
 *
 * The source holds it once from creation, emits every element with it in the metadata, then calls `seal()`: the
 * count can only reach zero after that, so a synchronous sink finishing each element does not fire it early. An
 * element whose delivery failed calls `fail(error)`: the callback then receives the error and the peer is told
 * (MQTT leaves the message unacknowledged to be sent again, HTTP answers 500).
 *
 * @example
 * const ack = new Acknowledgement((error) => (error ? res.writeHead(500) : res.writeHead(202)).end());
 * for (const x of elements) await source.emit(x, [{ ref: ack }]);
 * ack.seal();
 */
export class Acknowledgement extends RefCounter {
  /** The metadata its elements carry: one list per unit, shared by all of its elements (no allocation each). */
  readonly metadata: Metadata = [{ ref: this }];
  private error: unknown = undefined;
  private settled = false;
  private readonly onSettled: (error: unknown) => void;

  constructor(onSettled: (error: unknown) => void) {
    super(undefined, 1);
    this.onSettled = onSettled;
  }

  override release(n = 1): void {
    super.release(n);
    // Zero is reached once: the source's own hold keeps it above until `seal()`.
    if (this.count === 0) this.settle();
  }

  /** The source has emitted every element of the unit; lets go of its own hold. */
  seal(): void {
    this.release();
  }

  /** Marks the unit failed (the first error is kept); the callback receives it when the count reaches zero. */
  fail(error: unknown): void {
    if (this.error === undefined) this.error = error ?? new Error('failed');
  }

  /** True once the callback ran. */
  get acknowledged(): boolean {
    return this.settled;
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettled(this.error);
  }
}
