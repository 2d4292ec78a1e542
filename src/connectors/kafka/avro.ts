import type { Resolver, Type } from 'avsc';
import { badArgument, describe, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { SchemaRegistry, type SchemaRegistryOptions, UnknownSchemaId } from './schema-registry.ts';
import type { Serde } from './serializers.ts';

/** How {@link avro} writes and reads. */
export interface AvroOptions {
  /** The schema registry: a client, or where it is. */
  registry: SchemaRegistry | SchemaRegistryOptions;
  /**
   * The subject the writer schema is registered under; Confluent's default naming is `<topic>-value` (and
   * `<topic>-key` for keys). Needed to write.
   */
  subject?: string;
  /**
   * The Avro schema (a JSON object or its text). Written messages use it (registered under `subject`); read
   * messages written with another version are resolved to it (Avro schema evolution). Without it: writing uses the
   * subject's latest schema, and each message is read with the schema it was written with.
   */
  schema?: object | string;
}

/** An Avro serde in the Confluent wire format: magic byte 0, the schema id (4 bytes, big-endian), the Avro body. */
export interface AvroSerde<T = unknown> extends Serde<T> {
  /** The id of the writer schema in the registry (`null` for a read-only serde). */
  readonly schemaId: number | null;
  readonly registry: SchemaRegistry;
  /**
   * Fetches the schema a message was written with when it is not known yet: a promise to await before
   * `deserialize`, or `null` when nothing is to be fetched. Sources call it for every message.
   */
  prepare(bytes: Buffer): Promise<void> | null;
}

const WIRE = 'Confluent wire format: magic byte 0, 4-byte schema id, Avro body';

function fail(reason: string, schemaId?: number, cause?: unknown): TwinstreamError {
  return new TwinstreamError('TS_KAFKA_DESERIALIZE', `avro deserializer: ${reason}`, {
    ...(cause === undefined ? {} : { cause }),
    context: { serde: 'avro', reason, ...(schemaId === undefined ? {} : { schemaId }) },
  });
}

/** Record classes without methods (see `plain`); a new object each time: avsc keeps its type registry in it. */
const forSchemaOptions = () => ({ omitRecordMethods: true });

interface Reader {
  type: Type;
  resolver: Resolver | undefined;
  plain: Convert | null;
}

function parseSchema(avsc: typeof import('avsc'), schema: object | string, where: string): Type {
  let parsed: unknown = schema;
  if (typeof schema === 'string') {
    try {
      parsed = JSON.parse(schema);
    } catch {
      parsed = schema; // a primitive type name such as "string" is a schema too
    }
  }
  try {
    return avsc.Type.forSchema(parsed as never, forSchemaOptions());
  } catch (error) {
    return badArgument(where, 'schema', schema, `a valid Avro schema (${(error as Error).message})`);
  }
}

type Convert = (value: any) => any;

/**
 * A function turning what avsc decodes for `type` into plain objects (avsc builds an instance of a class per
 * record type), as the JSON serde gives them, so deep equality behaves as users expect; `null` when there is
 * nothing to convert (no record inside). Built once per schema; recursive schemas are handled through `made`.
 */
function plainer(type: Type, made = new Map<Type, Convert | null>()): Convert | null {
  if (made.has(type)) return made.get(type)!;
  const t = type as any;
  switch (t.typeName) {
    case 'record':
    case 'error': {
      const names: string[] = t.fields.map((f: any) => f.name);
      const converts: (Convert | null)[] = [];
      const convert: Convert = (v) => {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) {
          const c = converts[i];
          const x = v[names[i]!];
          out[names[i]!] = c && x !== null && x !== undefined ? c(x) : x;
        }
        return out;
      };
      made.set(type, convert);
      for (const f of t.fields) converts.push(plainer(f.type, made));
      return convert;
    }
    case 'array': {
      made.set(type, null);
      const c = plainer(t.itemsType, made);
      const convert: Convert | null = c
        ? (v) => {
            for (let i = 0; i < v.length; i++) if (v[i] !== null) v[i] = c(v[i]);
            return v;
          }
        : null;
      made.set(type, convert);
      return convert;
    }
    case 'map': {
      made.set(type, null);
      const c = plainer(t.valuesType, made);
      const convert: Convert | null = c
        ? (v) => {
            for (const k of Object.keys(v)) if (v[k] !== null) v[k] = c(v[k]);
            return v;
          }
        : null;
      made.set(type, convert);
      return convert;
    }
    case 'union:unwrapped': {
      made.set(type, null);
      // A branch value is a record instance or a primitive: convert by the record's type.
      const branches = (t.types as Type[]).map((b) => [b, plainer(b, made)] as const).filter(([, c]) => c !== null);
      if (branches.length === 0) return null;
      const convert: Convert = (v) => {
        if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) return v;
        for (const [b, c] of branches) if (b.isValid(v)) return c!(v);
        return v;
      };
      made.set(type, convert);
      return convert;
    }
    default:
      made.set(type, null);
      return null;
  }
}

/** Where a value does not fit `type`: up to three `path: expected T, got V` lines. */
function mismatches(type: Type, value: unknown): string {
  const found: string[] = [];
  type.isValid(value, {
    errorHook(path: string[], v: unknown, t: Type) {
      if (found.length < 3)
        found.push(
          `${path.length ? path.join('.') : '(the value)'}: expected ${t.typeName ?? 'a value of the schema'}, got ${describe(v)}`,
        );
    },
  });
  return found.join('; ');
}

/**
 * An Avro serde backed by a Confluent-compatible schema registry (Confluent Schema Registry, Karapace, Apicurio's
 * ccompat API). With `schema` and `subject` it registers the schema (or finds it) and writes with it; it reads any
 * message whose schema id the registry knows, fetching each schema once. A message that is not in the wire format
 * (wrong magic byte, too short), whose schema id the registry does not know, or whose body does not match its
 * schema throws `TS_KAFKA_DESERIALIZE` naming the problem: a source dead-letters it.
 *
 * @example
 * const value = await avro({
 *   registry: { url: 'http://localhost:8081' },
 *   subject: 'readings-value',
 *   schema: { type: 'record', name: 'Reading', fields: [{ name: 'sensor', type: 'string' }, { name: 'value', type: 'double' }] },
 * });
 * input.toKafka('readings', { brokers, valueSerializer: value });
 * Stream.fromKafka('readings', { brokers, groupId: 'g', value });
 */
export async function avro<T = unknown>(options: AvroOptions): Promise<AvroSerde<T>> {
  if (options === null || typeof options !== 'object')
    badArgument('avro', 'options', options, 'an object with registry');
  const registry =
    options.registry instanceof SchemaRegistry
      ? options.registry
      : options.registry !== null && typeof options.registry === 'object'
        ? new SchemaRegistry(options.registry)
        : badArgument('avro', 'registry', options.registry, 'a SchemaRegistry or { url }');
  if (options.subject !== undefined && (typeof options.subject !== 'string' || options.subject === '')) {
    badArgument('avro', 'subject', options.subject, "a subject name such as '<topic>-value'");
  }
  if (options.schema !== undefined && options.subject === undefined) {
    badArgument('avro', 'subject', options.subject, "a subject to register the schema under, such as '<topic>-value'");
  }
  const avsc = (await importOptional('avsc', 'avro', () => import('avsc'))).default;
  let writer: Type | null = null;
  let schemaId: number | null = null;
  if (options.schema !== undefined) {
    writer = parseSchema(avsc, options.schema, 'avro');
    schemaId = await registry.register(options.subject!, JSON.stringify(writer.schema()));
  } else if (options.subject !== undefined) {
    const latest = await registry.latest(options.subject);
    writer = parseSchema(avsc, latest.schema, 'avro');
    schemaId = latest.id;
  }
  const readerType = options.schema === undefined ? null : writer;
  const readers = new Map<number, Reader | TwinstreamError>();
  const fetching = new Map<number, Promise<void>>();
  const readerPlain = readerType === null ? null : plainer(readerType);
  if (writer !== null && schemaId !== null)
    readers.set(schemaId, { type: writer, resolver: undefined, plain: plainer(writer) });

  const learn = (id: number, text: string, schemaType: string): Reader | TwinstreamError => {
    if (schemaType !== 'AVRO') return fail(`schema id ${id} is a ${schemaType} schema, not Avro`, id);
    let type: Type;
    try {
      type = avsc.Type.forSchema(JSON.parse(text), forSchemaOptions());
    } catch (error) {
      return fail(`schema id ${id} from the registry is not a valid Avro schema (${(error as Error).message})`, id);
    }
    if (readerType === null) return { type, resolver: undefined, plain: plainer(type) };
    try {
      return { type: readerType, resolver: readerType.createResolver(type), plain: readerPlain };
    } catch (error) {
      return fail(
        `data written with schema id ${id} cannot be read as the reader schema (${(error as Error).message})`,
        id,
      );
    }
  };

  const header = (id: number): Buffer => {
    const b = Buffer.allocUnsafe(5);
    b[0] = 0;
    b.writeInt32BE(id, 1);
    return b;
  };
  const writerHeader = schemaId === null ? null : header(schemaId);

  return {
    name: 'avro',
    schemaId,
    registry,
    prepare(bytes) {
      if (bytes.length < 5 || bytes[0] !== 0) return null;
      const id = bytes.readInt32BE(1);
      if (readers.has(id)) return null;
      let pending = fetching.get(id);
      if (!pending) {
        pending = registry.schemaById(id).then(
          (r) => {
            readers.set(id, learn(id, r.schema, r.schemaType));
          },
          (error: unknown) => {
            // An id the registry does not have is a property of the message: dead-letter it. A registry that cannot
            // be asked is not: the source fails, and the message is read again after a restart.
            if (error instanceof UnknownSchemaId) readers.set(id, fail(error.message, id));
            else throw error;
          },
        );
        pending.then(
          () => fetching.delete(id),
          () => fetching.delete(id),
        );
        fetching.set(id, pending);
      }
      return pending;
    },
    serialize(value) {
      if (writer === null || writerHeader === null) {
        throw new TwinstreamError(
          'TS_KAFKA_SERIALIZE',
          'avro serializer: no schema to write with; give avro() a schema and a subject (or a subject with a registered schema)',
          { context: { serde: 'avro' } },
        );
      }
      let body: Buffer;
      try {
        body = writer.toBuffer(value);
      } catch (error) {
        const where = mismatches(writer, value);
        throw new TwinstreamError(
          'TS_KAFKA_SERIALIZE',
          `avro serializer: the value does not match schema id ${schemaId}: ${where || (error as Error).message}`,
          { context: { serde: 'avro', schemaId } },
        );
      }
      return Buffer.concat([writerHeader, body], 5 + body.length);
    },
    deserialize(bytes) {
      if (bytes.length < 5) {
        throw fail(`${bytes.length} byte(s) are too short for the ${WIRE} (at least 5 bytes)`);
      }
      if (bytes[0] !== 0) {
        throw fail(
          `wrong magic byte 0x${bytes[0]!.toString(16).padStart(2, '0')} at offset 0; expected 0x00 (${WIRE})`,
        );
      }
      const id = bytes.readInt32BE(1);
      const reader = readers.get(id);
      if (reader === undefined) {
        throw fail(
          `schema id ${id} (bytes 1-4) has not been fetched from the registry; call prepare(bytes) and wait for it before deserialize`,
          id,
        );
      }
      if (reader instanceof TwinstreamError) throw reader;
      try {
        const value = reader.type.fromBuffer(bytes.subarray(5), reader.resolver);
        return (reader.plain ? reader.plain(value) : value) as T;
      } catch (error) {
        throw fail(
          `the Avro body (bytes 5-${bytes.length - 1}) does not match schema id ${id}: ${(error as Error).message}`,
          id,
          error,
        );
      }
    },
  };
}
