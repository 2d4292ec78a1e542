import { isUtf8 } from 'node:buffer';
import { badArgument, describe, TwinstreamError } from '../../errors.ts';

/**
 * Turns message keys, values or header values into bytes and back. `deserialize` throws a `TwinstreamError`
 * (code `TS_KAFKA_DESERIALIZE`) on bytes it cannot read: the source dead-letters that message and goes on.
 */
export interface Serde<T = unknown> {
  /** A short name for errors and dead-letter headers (`json`, `string`...). */
  readonly name: string;
  serialize(value: T): Buffer;
  deserialize(bytes: Buffer): T;
  /**
   * For serdes that must fetch something before they can read some bytes (the Avro serde fetches the schema a
   * message was written with): a promise the source awaits before `deserialize`, or `null` when all is at hand.
   */
  prepare?(bytes: Buffer): Promise<void> | null;
}

/** A built-in serde by name, or a serde object. */
export type SerdeSpec<T = unknown> = 'bytes' | 'string' | 'json' | 'int' | 'double' | Serde<T>;

/**
 * A validator in the Standard Schema shape (zod 4, valibot, arktype all provide `~standard`), or a function that
 * returns `true` for a valid value and an error message otherwise.
 */
export type JsonSchema<T = unknown> =
  | {
      readonly '~standard': {
        validate(
          value: unknown,
        ): { value?: T; issues?: readonly { message: string; path?: readonly unknown[] }[] } | Promise<unknown>;
      };
    }
  | ((value: unknown) => true | string);

function fail(serde: string, reason: string, cause?: unknown): TwinstreamError {
  return new TwinstreamError('TS_KAFKA_DESERIALIZE', `${serde} deserializer: ${reason}`, {
    ...(cause === undefined ? {} : { cause }),
    context: { serde, reason },
  });
}

function badValue(serde: string, value: unknown, accepted: string): TwinstreamError {
  return new TwinstreamError('TS_KAFKA_SERIALIZE', `${serde} serializer: ${describe(value)} is not ${accepted}`, {
    context: { serde },
  });
}

/** Raw bytes: a Buffer passes through (a Uint8Array or string is accepted when writing). */
export const bytesSerde: Serde<Buffer> = {
  name: 'bytes',
  serialize(value: unknown) {
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (typeof value === 'string') return Buffer.from(value);
    throw badValue('bytes', value, 'a Buffer, a Uint8Array or a string');
  },
  deserialize: (bytes) => bytes,
};

/** UTF-8 text. */
export const stringSerde: Serde<string> = {
  name: 'string',
  serialize(value) {
    if (typeof value !== 'string') throw badValue('string', value, 'a string');
    return Buffer.from(value);
  },
  deserialize: (bytes) => bytes.toString('utf8'),
};

/** A 32-bit signed big-endian integer (Kafka's IntegerSerializer). */
export const intSerde: Serde<number> = {
  name: 'int',
  serialize(value) {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
      throw badValue('int', value, 'an integer in the signed 32-bit range');
    }
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(value);
    return b;
  },
  deserialize(bytes) {
    if (bytes.length !== 4) throw fail('int', `expected 4 bytes, got ${bytes.length}`);
    return bytes.readInt32BE(0);
  },
};

/** A 64-bit IEEE 754 big-endian double (Kafka's DoubleSerializer). */
export const doubleSerde: Serde<number> = {
  name: 'double',
  serialize(value) {
    if (typeof value !== 'number') throw badValue('double', value, 'a number');
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(value);
    return b;
  },
  deserialize(bytes) {
    if (bytes.length !== 8) throw fail('double', `expected 8 bytes, got ${bytes.length}`);
    return bytes.readDoubleBE(0);
  },
};

function validateWith<T>(schema: JsonSchema<T>, value: unknown): T {
  if (typeof schema === 'function') {
    const ok = schema(value);
    if (ok === true) return value as T;
    throw fail('json', `the value does not match the schema: ${ok}`);
  }
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) throw fail('json', 'the schema validates asynchronously; a synchronous one is needed');
  const r = result as { value?: T; issues?: readonly { message: string; path?: readonly unknown[] }[] };
  if (r.issues && r.issues.length > 0) {
    const first = r.issues
      .slice(0, 3)
      .map(
        (i) =>
          `${i.path?.length ? `${i.path.map((p) => (typeof p === 'object' && p !== null && 'key' in p ? (p as { key: unknown }).key : p)).join('.')}: ` : ''}${i.message}`,
      )
      .join('; ');
    throw fail('json', `the value does not match the schema: ${first}`);
  }
  return r.value as T;
}

/**
 * JSON, optionally validated on read (and write) by a schema: a zod 4 schema (or any Standard Schema) or a
 * function returning `true` or the reason. Invalid input throws `TS_KAFKA_DESERIALIZE` naming the path.
 *
 * @example
 * const value = json({ schema: z.object({ ts: z.string(), value: z.number() }) });
 */
export function json<T = unknown>(options: { schema?: JsonSchema<T> } = {}): Serde<T> {
  const schema = options.schema;
  if (
    schema !== undefined &&
    typeof schema !== 'function' &&
    typeof (schema as any)?.['~standard']?.validate !== 'function'
  ) {
    badArgument('json', 'schema', schema, 'a Standard Schema (e.g. a zod schema) or a validating function');
  }
  return {
    name: 'json',
    serialize(value) {
      if (schema !== undefined) validateWith(schema, value);
      const text = JSON.stringify(value);
      if (text === undefined) throw badValue('json', value, 'JSON-serializable');
      return Buffer.from(text);
    },
    deserialize(bytes) {
      // Bad UTF-8 would become U+FFFD in silence: refused, so the message is dead-lettered with the reason.
      if (!isUtf8(bytes)) throw fail('json', 'the bytes are not valid UTF-8');
      let value: unknown;
      try {
        value = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw fail('json', `malformed JSON (${(error as Error).message})`, error);
      }
      return schema === undefined ? (value as T) : validateWith(schema, value);
    },
  };
}

/** JSON without a schema. */
export const jsonSerde: Serde<unknown> = json();

/**
 * Resolves a serde spec (a name or an object) for the option `name` of `where`.
 *
 * @example
 * toSerde('json', 'fromKafka', 'value').deserialize(Buffer.from('{"a":1}')); // { a: 1 }
 */
export function toSerde<T = unknown>(
  spec: SerdeSpec<T> | undefined,
  where: string,
  name: string,
  fallback: SerdeSpec = 'bytes',
): Serde<T> {
  const s = spec ?? fallback;
  switch (s) {
    case 'bytes':
      return bytesSerde as unknown as Serde<T>;
    case 'string':
      return stringSerde as unknown as Serde<T>;
    case 'json':
      return jsonSerde as Serde<T>;
    case 'int':
      return intSerde as unknown as Serde<T>;
    case 'double':
      return doubleSerde as unknown as Serde<T>;
  }
  if (typeof s === 'object' && s !== null && typeof s.serialize === 'function' && typeof s.deserialize === 'function') {
    return s as Serde<T>;
  }
  return badArgument(
    where,
    name,
    s,
    "'bytes', 'string', 'json', 'int', 'double' or a serde { serialize, deserialize }",
  );
}
