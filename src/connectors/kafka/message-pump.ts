import type { Clock, Timer } from '../../time/clock.ts';
import type { PortMessages } from './kafka-port.ts';
import type { RawMessage } from './record-decoder.ts';

/** @internal What the pump does with the messages of one client stream. */
export interface PumpHandlers {
  /** One message; a returned promise pauses the stream until it settles (back pressure). */
  message(m: RawMessage): void | Promise<void>;
  /** Called every `interval` ms while no message is being handled (batched sources emit their batches here). */
  tick?: { interval: number; fn(): void | Promise<void> };
  /** Turns a stream failure into the error the pump rejects with. */
  failure(error: unknown): unknown;
}

/**
 * Feeds the messages of a client stream to `handlers.message` one at a time, pausing the stream while one is
 * pending. Resolves when `signal` aborts (at once if it already has); rejects when a handler throws or the stream fails or closes by itself.
 *
 * @example
 * await pump(stream, signal, realClock, { message: (m) => source.onMessage(m), failure: (e) => e });
 * @internal
 */
export function pump(messages: PortMessages, signal: AbortSignal, clock: Clock, handlers: PumpHandlers): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // Stopped while the stream was being opened (a group join takes seconds): the abort event is past.
    if (signal.aborted) {
      resolve();
      return;
    }
    let busy = false;
    let ticker: Timer | null = null;
    let finished = false;
    const finish = (error?: unknown) => {
      finished = true;
      ticker?.cancel();
      signal.removeEventListener('abort', onAbort);
      messages.removeAllListeners('data');
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = () => finish();
    signal.addEventListener('abort', onAbort);
    const settle = (r: void | Promise<void>) => {
      if (r === undefined) return;
      busy = true;
      messages.pause();
      r.then(
        () => {
          busy = false;
          if (!signal.aborted) messages.resume();
        },
        (e) => finish(e),
      );
    };
    messages.on('data', (m: RawMessage) => {
      try {
        settle(handlers.message(m));
      } catch (e) {
        finish(e);
      }
    });
    messages.once('error', (error: unknown) => finish(handlers.failure(error)));
    messages.once('close', () => {
      if (!signal.aborted) finish(handlers.failure(new Error('the message stream closed')));
    });
    const tick = handlers.tick;
    if (tick) {
      const arm = () => {
        ticker = clock.setTimer(tick.interval, () => {
          if (finished) return;
          arm();
          if (busy) return;
          try {
            settle(tick.fn());
          } catch (e) {
            finish(e);
          }
        });
      };
      arm();
    }
  });
}
