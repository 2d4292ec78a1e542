import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { badArgument, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { type Duration, toMillis } from '../../time/duration.ts';

/** Where a Confluent-compatible schema registry is (Confluent Schema Registry, Karapace, Apicurio's ccompat API). */
export interface SchemaRegistryOptions {
  /**
   * The base URL, e.g. `http://localhost:8081` (Apicurio: `http://host:8080/apis/ccompat/v7`). Credentials in it
   * (`https://user:pass@host`) are taken out and sent as basic authentication.
   */
  url: string;
  /** HTTP basic authentication; the password never appears in errors. */
  auth?: { username: string; password: string };
  /** How long one request may take. Default 10 s. */
  timeout?: Duration;
  /** TLS options for an `https` registry (`ca`...); passed to the client of the Kafka library. */
  tls?: TlsOptions;
}

/** The answer of the registry to a lookup by id. */
interface SchemaById {
  schema: string;
  schemaType?: string;
}

/** A lookup by id that the registry answered "no such schema" (404): cached, so each id is asked once. */
export class UnknownSchemaId extends TwinstreamError {
  constructor(id: number, url: string, detail: string) {
    super(
      'TS_SCHEMA_UNKNOWN_ID',
      `schema id ${id} is unknown to the registry at ${url}${detail ? ` (${detail})` : ''}`,
      {
        context: { schemaId: id },
      },
    );
  }
}

/**
 * A small client of the Confluent Schema Registry REST API: registers schemas under a subject and looks schemas up
 * by id, caching both (a schema id never changes its schema). Errors are `TS_SCHEMA_REGISTRY` naming the request
 * and the registry's answer.
 *
 * @example
 * const registry = new SchemaRegistry({ url: 'http://localhost:8081' });
 * const id = await registry.register('readings-value', { type: 'record', name: 'R', fields: [] });
 */
export class SchemaRegistry {
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly timeout: number;
  private readonly tls: TlsOptions | undefined;
  private agent: Promise<unknown> | null = null;
  private readonly byId = new Map<number, Promise<SchemaById>>();
  private readonly registered = new Map<string, Promise<number>>();

  constructor(options: SchemaRegistryOptions) {
    if (options === null || typeof options !== 'object')
      badArgument('SchemaRegistry', 'options', options, 'an object with url');
    let parsed: URL | null = null;
    try {
      parsed = new URL(options.url);
    } catch {
      parsed = null;
    }
    if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      badArgument('SchemaRegistry', 'url', options.url, "an http:// or https:// URL, e.g. 'http://localhost:8081'");
    }
    // Credentials in the URL become basic authentication: fetch refuses them there, and errors name the URL.
    const inUrl =
      parsed!.username || parsed!.password
        ? { username: decodeURIComponent(parsed!.username), password: decodeURIComponent(parsed!.password) }
        : undefined;
    parsed!.username = '';
    parsed!.password = '';
    this.url = parsed!.href.replace(/\/+$/, '');
    this.timeout = toMillis(options.timeout ?? 10_000, 'SchemaRegistry: timeout');
    this.headers = { Accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    const auth = options.auth ?? inUrl;
    if (auth !== undefined) {
      const { username, password } = auth;
      if (typeof username !== 'string' || typeof password !== 'string') {
        badArgument('SchemaRegistry', 'auth', '(hidden)', '{ username, password } as strings');
      }
      this.headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    this.tls = options.tls;
  }

  /**
   * Registers `schema` under `subject` (or finds it there already) and returns its id.
   *
   * @example
   * const id = await registry.register('readings-value', schema);
   */
  register(subject: string, schema: object | string, schemaType = 'AVRO'): Promise<number> {
    if (typeof subject !== 'string' || subject === '')
      badArgument('SchemaRegistry.register', 'subject', subject, 'a subject name');
    const text = typeof schema === 'string' ? schema : JSON.stringify(schema);
    const key = `${subject}\n${schemaType}\n${text}`;
    let pending = this.registered.get(key);
    if (!pending) {
      const body = JSON.stringify(schemaType === 'AVRO' ? { schema: text } : { schema: text, schemaType });
      pending = this.request<{ id: number }>(
        'POST',
        `/subjects/${encodeURIComponent(subject)}/versions`,
        body,
        `registering a schema under "${subject}"`,
      ).then((r) => {
        if (!Number.isInteger(r?.id))
          throw this.failure(`registering a schema under "${subject}"`, 'no id in the answer');
        this.byId.set(r.id, Promise.resolve({ schema: text, schemaType }));
        return r.id;
      });
      pending.catch(() => this.registered.delete(key));
      this.registered.set(key, pending);
    }
    return pending;
  }

  /** The latest version of `subject`: its id and schema text. */
  async latest(subject: string): Promise<{ id: number; schema: string; version: number }> {
    const r = await this.request<{ id: number; schema: string; version: number; schemaType?: string }>(
      'GET',
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
      undefined,
      `looking up the latest schema of "${subject}"`,
    );
    this.byId.set(r.id, Promise.resolve({ schema: r.schema, ...(r.schemaType ? { schemaType: r.schemaType } : {}) }));
    return { id: r.id, schema: r.schema, version: r.version };
  }

  /**
   * The schema text of `id`. Rejects with {@link UnknownSchemaId} when the registry has no such id (remembered),
   * with `TS_SCHEMA_REGISTRY` when it cannot be asked (not remembered: asked again next time).
   */
  schemaById(id: number): Promise<{ schema: string; schemaType: string }> {
    let pending = this.byId.get(id);
    if (!pending) {
      pending = this.request<SchemaById>('GET', `/schemas/ids/${id}`, undefined, `looking up schema id ${id}`, id);
      pending.catch((error) => {
        if (!(error instanceof UnknownSchemaId)) this.byId.delete(id);
      });
      this.byId.set(id, pending);
    }
    return pending.then((r) => ({ schema: r.schema, schemaType: r.schemaType ?? 'AVRO' }));
  }

  private failure(what: string, detail: string, cause?: unknown): TwinstreamError {
    return new TwinstreamError('TS_SCHEMA_REGISTRY', `${what} at ${this.url} failed: ${detail}`, {
      ...(cause === undefined ? {} : { cause: new Error(String((cause as Error)?.message ?? cause)) }),
      context: { url: this.url },
    });
  }

  private async request<T>(
    method: string,
    path: string,
    body: string | undefined,
    what: string,
    id?: number,
  ): Promise<T> {
    const init: RequestInit & { dispatcher?: unknown } = {
      method,
      headers:
        body === undefined
          ? this.headers
          : { ...this.headers, 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
      signal: AbortSignal.timeout(this.timeout),
      ...(body === undefined ? {} : { body }),
    };
    if (this.tls) {
      // An HTTP agent with the TLS options, made once (the Kafka library provides one for its own registry client).
      const tls = this.tls;
      this.agent ??= importOptional(
        '@platformatic/kafka',
        'SchemaRegistry (TLS)',
        () => import('@platformatic/kafka'),
      ).then((kafka) => kafka.createUndiciAgent({ connect: tls }));
      init.dispatcher = await this.agent;
    }
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, init as RequestInit);
    } catch (error) {
      const e = error as Error;
      const detail =
        e.name === 'TimeoutError'
          ? `no answer within ${this.timeout} ms`
          : `${e.message}${e.cause ? ` (${(e.cause as Error).message ?? e.cause})` : ''}`;
      throw this.failure(what, detail, error);
    }
    const text = await response.text();
    if (!response.ok) {
      let detail = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { message?: string; error_code?: number };
        if (parsed.message) detail = `${parsed.message}${parsed.error_code ? ` (error ${parsed.error_code})` : ''}`;
      } catch {
        // not JSON: the text as it is
      }
      if (response.status === 404 && id !== undefined) throw new UnknownSchemaId(id, this.url, detail);
      throw this.failure(what, `HTTP ${response.status}: ${detail}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw this.failure(what, `the answer is not JSON: ${text.slice(0, 200)}`, error);
    }
  }
}
