import { describe, TwinstreamError, type TwinstreamErrorCode } from '../../errors.ts';
import type { ParameterRegistry } from '../parameters.ts';

/** One parameter update: a dot path of the registry and its new value. */
export interface ParameterUpdate {
  path: string;
  value: unknown;
}

/** A message that changed nothing, and why. */
export interface Rejection {
  /** Where it came from: `kafka:<topic>/<partition>@<offset>`, `mqtt:<topic>`, ... */
  source: string;
  /** `TS_SIM_BAD_UPDATE` (unreadable message) or the registry's code (`TS_SIM_BAD_PARAMETER`, ...). */
  code: TwinstreamErrorCode;
  reason: string;
  /** The message as text, cut at 500 characters. */
  payload: string;
}

/** What an ingress tells its owner. */
export interface IngressCallbacks {
  /** Called for every rejected message or update (the stream of updates goes on). */
  onReject?(rejection: Rejection): void;
  /** Called after every applied update. */
  onApply?(update: ParameterUpdate, source: string): void;
}

const KEEP_REJECTIONS = 100;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Applies parameter updates arriving as messages to a registry, the way every ingress (Kafka, MQTT) does it:
 * a message is JSON `{ path, value }`, dynamic-des's `{ path_id, value }`, an array of those, or a bare JSON value
 * when the transport names the path (a Kafka key, an MQTT topic under the subscribed prefix). Each update goes
 * through `registry.update(path, value)`, which validates it and wakes a paced run. A malformed message, an unknown
 * path or an invalid value is rejected — counted, kept among the last 100 `rejections` with its reason, handed to
 * `onReject` — and the stream goes on.
 *
 * @example
 * const ingress = new ParameterIngress(env.registry, { onReject: (r) => console.warn(r.source, r.reason) });
 * ingress.handle('{"path":"Line_A.arrival.standard.rate","value":3}', 'test');
 * ingress.counters; // { received: 1, applied: 1, rejected: 0 }
 */
export class ParameterIngress {
  readonly registry: ParameterRegistry;
  readonly counters = { received: 0, applied: 0, rejected: 0 };
  /** The last rejections (at most 100, oldest first). */
  readonly rejections: Rejection[] = [];
  private readonly callbacks: IngressCallbacks;

  constructor(registry: ParameterRegistry, callbacks: IngressCallbacks = {}) {
    this.registry = registry;
    this.callbacks = callbacks;
  }

  /**
   * Decodes one message and applies its updates; returns how many applied. `path` is the path the transport names
   * (used when the message is a bare value).
   */
  handle(message: Buffer | string, source: string, path?: string): number {
    this.counters.received++;
    let text: string;
    try {
      text = typeof message === 'string' ? message : UTF8.decode(message);
    } catch {
      // Replacing bad bytes with U+FFFD would apply a value no one sent.
      this.reject(source, 'TS_SIM_BAD_UPDATE', 'the message is not valid UTF-8', message.toString('latin1'));
      return 0;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.reject(source, 'TS_SIM_BAD_UPDATE', `malformed JSON (${(error as Error).message})`, text);
      return 0;
    }
    // An empty list of updates applies nothing: rejected, not passed over in silence. With a path from the
    // transport, `[]` is a bare value (an empty array) like any other.
    if (Array.isArray(parsed) && parsed.length === 0 && path === undefined) {
      this.reject(source, 'TS_SIM_BAD_UPDATE', 'an empty array holds no update', text);
      return 0;
    }
    const list = Array.isArray(parsed) && parsed.length > 0 && (path === undefined || parsed.every(isUpdateShape));
    const items = list ? (parsed as unknown[]) : [parsed];
    let applied = 0;
    for (const item of items) {
      const update = toUpdate(item, path);
      if (typeof update === 'string') {
        this.reject(source, 'TS_SIM_BAD_UPDATE', update, JSON.stringify(item) ?? text);
        continue;
      }
      try {
        this.registry.update(update.path, update.value);
      } catch (error) {
        const code = error instanceof TwinstreamError ? error.code : 'TS_SIM_BAD_UPDATE';
        this.reject(source, code, error instanceof Error ? error.message : describe(error), JSON.stringify(item));
        continue;
      }
      applied++;
      this.counters.applied++;
      this.callbacks.onApply?.(update, source);
    }
    return applied;
  }

  /** Records a rejection (also used by transports for messages they cannot hand over). */
  reject(source: string, code: TwinstreamErrorCode, reason: string, payload: string): void {
    this.counters.rejected++;
    const rejection: Rejection = { source, code, reason, payload: payload.slice(0, 500) };
    if (this.rejections.length >= KEEP_REJECTIONS) this.rejections.shift();
    this.rejections.push(rejection);
    this.callbacks.onReject?.(rejection);
  }
}

function isUpdateShape(x: unknown): boolean {
  return (
    x !== null &&
    typeof x === 'object' &&
    !Array.isArray(x) &&
    (Object.hasOwn(x, 'path') || Object.hasOwn(x, 'path_id'))
  );
}

function toUpdate(item: unknown, path: string | undefined): ParameterUpdate | string {
  if (isUpdateShape(item)) {
    const o = item as Record<string, unknown>;
    const p = o.path ?? o.path_id;
    if (typeof p !== 'string' || p === '')
      return `"path" must be a dot path such as "Line_A.arrival.standard.rate", got ${JSON.stringify(p)}`;
    if (!Object.hasOwn(o, 'value')) return `the update of "${p}" has no "value"`;
    return { path: p, value: o.value };
  }
  if (path !== undefined && path !== '') return { path, value: item };
  return 'expected { "path": "<dot path>", "value": ... } (or "path_id"), or an array of them';
}
