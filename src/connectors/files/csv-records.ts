import { TwinstreamError } from '../../errors.ts';

/**
 * Splits CSV text, fed in chunks, into records with the line each begins on (RFC 4180: fields in double quotes
 * may hold the delimiter, `""` and newlines; CRLF or LF line ends; blank lines skipped). A line without a quote
 * takes the fast path (`split`); a quoted record is walked character by character and may span chunks. Unlike
 * parsers that read a fixed number of fields per record across line ends, a short or long record stays one
 * record here, so its caller can refuse it by line number instead of merging it with the next. The array handed
 * to `onRecord` is reused for the next record: copy it to keep it.
 *
 * @example
 * const records = new CsvRecords(',');
 * records.push('a,b\n1,"x, y"\n', false, (fields, line) => console.log(line, fields));
 * // 1 [ 'a', 'b' ]   then   2 [ '1', 'x, y' ]
 * @internal
 */
export class CsvRecords {
  private readonly delimiter: string;
  private rest = '';
  private readonly fields: string[] = [];
  /** The line the next record begins on. */
  line = 1;

  constructor(delimiter: string) {
    this.delimiter = delimiter;
  }

  /**
   * Parses what is complete of `rest + chunk`; `final` says no more text follows (an unfinished quoted field is
   * then malformed: `onBad`).
   */
  push(
    chunk: string,
    final: boolean,
    onRecord: (fields: string[], line: number) => void,
    onBad?: (line: number, reason: string, text: string) => void,
  ): void {
    const text = this.rest === '' ? chunk : this.rest + chunk;
    const d = this.delimiter;
    const n = text.length;
    let pos = 0;
    // The next quote at or after pos, found once and again only when passed: a search per line would scan to the
    // end of a quote-free chunk every time.
    let q = text.indexOf('"');
    const fields = this.fields;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) {
        if (!final) break;
        nl = n;
      }
      if (q >= 0 && q < pos) q = text.indexOf('"', pos);
      if (q < 0 || q > nl) {
        const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end > pos) {
          // Fields cut straight out of the chunk into one reused array: no line string, no array per record.
          let k = 0;
          let from = pos;
          for (let c = text.indexOf(d, from); c >= 0 && c < end; c = text.indexOf(d, from)) {
            fields[k++] = text.slice(from, c);
            from = c + 1;
          }
          fields[k++] = text.slice(from, end);
          fields.length = k;
          onRecord(fields, this.line);
        }
        this.line++;
        pos = nl + 1;
        continue;
      }
      const r = this.quoted(text, pos, final);
      if (r === null) break;
      if (typeof r.reason === 'string') {
        onBad?.(this.line, r.reason, text.slice(pos, r.next).replace(/\r?\n$/, ''));
      } else onRecord(r.fields, this.line);
      this.line += r.lines;
      pos = r.next;
    }
    this.rest = pos < n ? text.slice(pos) : '';
  }

  /** One record with quotes from `pos`: its fields, the lines it spans and where the next begins; null if unfinished. */
  private quoted(
    text: string,
    pos: number,
    final: boolean,
  ): { fields: string[]; lines: number; next: number; reason?: string } | null {
    const d = this.delimiter;
    const fields: string[] = [];
    let lines = 1;
    let i = pos;
    const n = text.length;
    for (;;) {
      if (text[i] === '"') {
        let value = '';
        let from = i + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close < 0) {
            if (!final) return null;
            return { fields, lines, next: n, reason: 'has a quoted field that is never closed' };
          }
          value += text.slice(from, close);
          if (text[close + 1] === '"') {
            value += '"';
            from = close + 2;
            continue;
          }
          i = close + 1;
          break;
        }
        for (let k = value.indexOf('\n'); k >= 0; k = value.indexOf('\n', k + 1)) lines++;
        fields.push(value);
      } else {
        let end = i;
        while (end < n && text[end] !== d && text[end] !== '\n' && text[end] !== '\r') end++;
        if (end >= n && !final) return null;
        fields.push(text.slice(i, end));
        i = end;
      }
      if (i >= n) {
        if (!final) return null;
        return { fields, lines, next: n };
      }
      const c = text[i];
      if (c === d) {
        i++;
        continue;
      }
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (text[i] === '\n') return { fields, lines, next: i + 1 };
      if (text[i] === '\r') return { fields, lines, next: i + 1 };
      // Text after a closing quote: skip to the end of the line and report the record.
      const nl = text.indexOf('\n', i);
      if (nl < 0 && !final) return null;
      return { fields, lines, next: nl < 0 ? n : nl + 1, reason: 'has text after a closing quote' };
    }
  }
}

/** @internal Guards a header against names that would reach a prototype. */
export function checkHeader(names: readonly string[], path: string): void {
  for (const name of names) {
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
      throw new TwinstreamError(
        'TS_BAD_RECORD',
        `${path}:1: the header has a column named "${name}", which is refused`,
        {
          context: { path, line: 1 },
        },
      );
    }
  }
}
