import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';

/**
 * Writes each record as one JSON line to a function (default `console.log`).
 *
 * @example
 * env.setupEgress([new ConsoleEgress()]);
 */
export class ConsoleEgress implements EgressSink {
  readonly name = 'console';
  private readonly print: (line: string) => void;

  constructor(print: (line: string) => void = (line) => console.log(line)) {
    this.print = print;
  }

  write(batch: readonly SimRecord[]): void {
    for (const rec of batch) this.print(JSON.stringify(rec));
  }
}
