import { describe, TwinstreamError, type TwinstreamErrorCode } from '../../errors.ts';
import type { OutgoingMessage } from './producer.ts';
import type { RawMessage } from './record-decoder.ts';

/** The header names a dead-lettered message carries. */
export const DEAD_LETTER_HEADERS = {
  code: 'x-error-code',
  reason: 'x-error-reason',
  topic: 'x-source-topic',
  partition: 'x-source-partition',
  offset: 'x-source-offset',
} as const;

/** What a dead-lettered message was and why: what `onDeadLetter` receives. */
export interface DeadLetter {
  code: TwinstreamErrorCode;
  reason: string;
  topic: string;
  partition: number;
  offset: number;
}

/** Describes why `error` made a message unusable. */
export function deadLetterOf(
  error: unknown,
  m: { topic: string; partition: number; offset: bigint | number },
): DeadLetter {
  const code = error instanceof TwinstreamError ? error.code : 'TS_KAFKA_PROCESSING';
  const reason = error instanceof Error ? error.message : describe(error);
  return { code, reason, topic: m.topic, partition: m.partition, offset: Number(m.offset) };
}

/**
 * The message written to the dead-letter topic: the original key, value (left out when too large) and headers,
 * plus headers naming the error code, the reason and the source topic, partition and offset.
 *
 * @example
 * producer.send([deadLetterMessage('raw-dlq', raw, deadLetterOf(error, raw))]);
 */
export function deadLetterMessage(topic: string, m: RawMessage, letter: DeadLetter): OutgoingMessage {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of m.headers) headers[typeof k === 'string' ? k : k.toString()] = v;
  headers[DEAD_LETTER_HEADERS.code] = Buffer.from(letter.code);
  headers[DEAD_LETTER_HEADERS.reason] = Buffer.from(letter.reason.slice(0, 2000));
  headers[DEAD_LETTER_HEADERS.topic] = Buffer.from(letter.topic);
  headers[DEAD_LETTER_HEADERS.partition] = Buffer.from(String(letter.partition));
  headers[DEAD_LETTER_HEADERS.offset] = Buffer.from(String(letter.offset));
  const tooLarge = letter.code === 'TS_KAFKA_TOO_LARGE';
  return {
    topic,
    key: m.key ?? undefined,
    value: tooLarge ? null : (m.value ?? null),
    headers,
    timestamp: Number(m.timestamp),
  };
}
