import { type Metadata, releaseRefs, retainRefs } from '../../core/refcount.ts';
import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';

/** How `toHttp` posts. */
export interface ToHttpOptions {
  /** Elements per request, sent as NDJSON. Default 500. */
  batchSize?: number;
  /** How long a partly filled batch waits for more. Default `'20ms'`. */
  linger?: Duration;
  /** Tries after the first for a batch that failed (no answer, 429, 5xx). Default 5. */
  retries?: number;
  /** The first wait between tries, doubled each time (a `Retry-After` answer takes precedence). Default `'100ms'`. */
  backoff?: Duration;
  /** Requests in flight before the sink pushes back. Default 4. */
  maxInFlight?: number;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
}

/**
 * A sink that POSTs elements in NDJSON batches, retrying a batch that failed, with a doubling wait, or the one
 * the server asks for (`Retry-After`). Each element is held until its batch was answered 2xx, so an upstream
 * source acknowledges its input only then. A batch refused (4xx other than 429) or failing past the retries
 * fails the sink with `TS_HTTP_POST`. The end of the stream sends what is batched and waits for the answers.
 *
 * @example readings.toHttp('http://127.0.0.1:8080/ingest', { batchSize: 1000, token: process.env.TOKEN });
 */
export class HttpSinkNode extends Stream<unknown> {
  override kind = 'toHttp';
  readonly url: string;
  /** Elements the server accepted. */
  sent = 0;
  /** Tries that failed and were made again. */
  retried = 0;
  private readonly batchSize: number;
  private readonly linger: number;
  private readonly retries: number;
  private readonly backoff: number;
  private readonly maxInFlight: number;
  private readonly headers: Record<string, string>;
  private lines: string[] = [];
  private held: (Metadata | undefined)[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown = null;

  constructor(upstream: Stream<any>, url: string, options: ToHttpOptions = {}) {
    let valid = false;
    try {
      valid = /^https?:$/.test(new URL(url).protocol);
    } catch {}
    if (!valid) badArgument('toHttp', 'url', url, "an 'http://' or 'https://' URL");
    const o = options ?? {};
    const batchSize = o.batchSize ?? 500;
    requireInteger('toHttp', 'batchSize', batchSize, 1);
    const retries = o.retries ?? 5;
    requireInteger('toHttp', 'retries', retries, 0);
    const maxInFlight = o.maxInFlight ?? 4;
    requireInteger('toHttp', 'maxInFlight', maxInFlight, 1);
    super({ clock: upstream.clock });
    this.url = url;
    this.batchSize = batchSize;
    this.linger = toMillis(o.linger ?? '20ms', 'toHttp: linger');
    this.retries = retries;
    this.backoff = toMillis(o.backoff ?? '100ms', 'toHttp: backoff');
    this.maxInFlight = maxInFlight;
    this.headers = {
      'content-type': 'application/x-ndjson',
      ...o.headers,
      ...(o.token === undefined ? {} : { authorization: `Bearer ${o.token}` }),
    };
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.failure !== null) throw this.failure;
    const line = JSON.stringify(x);
    if (line === undefined) throw new TwinstreamError('TS_UNSENDABLE_ELEMENT', `toHttp: ${typeof x} is not JSON`);
    retainRefs(metadata);
    this.lines.push(line);
    this.held.push(metadata);
    if (this.lines.length >= this.batchSize) this.send();
    else if (this.timer === null) this.timer = setTimeout(() => this.send(), this.linger);
    if (this.inFlight.size < this.maxInFlight) return;
    return Promise.race(this.inFlight);
  }

  /** Sends what is batched; resolves when every batch sent so far is answered. */
  async flush(): Promise<void> {
    this.send();
    await Promise.all(this.inFlight);
    if (this.failure !== null) throw this.failure;
  }

  override whenIdle(): Promise<void> | null {
    return this.inFlight.size === 0 && this.lines.length === 0 ? null : this.flush();
  }

  protected override flushOnEnd(): Pushed {
    return this.flush();
  }

  private send(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.lines.length === 0) return;
    const body = `${this.lines.join('\n')}\n`;
    const held = this.held;
    this.lines = [];
    this.held = [];
    const p: Promise<void> = this.post(body).then(
      () => {
        this.inFlight.delete(p);
        this.sent += held.length;
        for (const md of held) releaseRefs(md);
      },
      (error) => {
        this.inFlight.delete(p);
        this.failure ??= error; // the elements stay held: their source never acknowledges them
        throw error;
      },
    );
    p.catch(() => {});
    this.inFlight.add(p);
  }

  private async post(body: string): Promise<void> {
    let wait = this.backoff;
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let after = wait;
      try {
        const res = await fetch(this.url, { method: 'POST', headers: this.headers, body });
        await res.arrayBuffer().catch(() => {});
        if (res.ok) return;
        reason = `answered ${res.status}`;
        if (res.status !== 429 && res.status < 500) {
          throw new TwinstreamError('TS_HTTP_POST', `toHttp: ${this.url} refused a batch: ${reason}`);
        }
        const retryAfter = Number(res.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter >= 0) after = retryAfter * 1000;
      } catch (e) {
        if (e instanceof TwinstreamError) throw e;
        reason = e instanceof Error ? e.message : String(e);
      }
      if (attempt >= this.retries) {
        throw new TwinstreamError('TS_HTTP_POST', `toHttp: ${this.url} failed ${attempt + 1} times: ${reason}`);
      }
      this.retried++;
      await new Promise((r) => setTimeout(r, after));
      wait *= 2;
    }
  }
}

declare module '../../core/stream.ts' {
  interface Stream<T> {
    /**
     * POSTs the elements as NDJSON batches, retrying failed ones; each element held until its batch was accepted.
     * @example readings.toHttp('http://127.0.0.1:8080/ingest', { batchSize: 1000 })
     */
    toHttp(url: string, options?: ToHttpOptions): HttpSinkNode;
  }
}

Stream.register('toHttp', function toHttp(this: Stream<any>, url: string, options?: ToHttpOptions) {
  return new HttpSinkNode(this, url, options);
});
