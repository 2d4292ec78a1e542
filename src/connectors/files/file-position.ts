import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { MetadataEntry, RefCounter } from '../../core/refcount.ts';
import { TwinstreamError } from '../../errors.ts';
import { OffsetTracker, PendingOffset } from '../kafka/offset-tracker.ts';

/** One line of a file in the graph: its end (the byte after its newline) is the position once it is done. */
class LineEntry extends PendingOffset implements MetadataEntry {
  [field: string]: unknown;
  readonly ref: RefCounter = this;
}

/** What a position file holds: the file (its inode) and the byte after the last line processed. */
interface Stored {
  inode: number;
  position: number;
}

/**
 * The acknowledged position of a text file, kept in a position file: lines are tracked in order (the Kafka
 * source's offset tracker, with byte positions for offsets), and the position advances over the lines every node
 * of the graph is done with, never past one still in work. `save()` writes it atomically (a temporary file
 * renamed); `resumeAt()` tells where a restart begins: the saved position if the file at the path is the same
 * (inode) and not shorter, else its start. A follow that goes on in another file (rotated: a new inode; truncated:
 * the same one from its start) calls `switchTo`: the lines of the new file count on from where the old file ended,
 * so the tracker's offsets keep growing, and the position saved names the new file once every line of the old one
 * is done.
 *
 * @example
 * const position = new FilePosition('app.log.pos', 'app.log');
 * const start = position.resumeAt();
 * source.emit(line, position.line(endOfLine));
 * position.save();
 * @internal
 */
export class FilePosition {
  readonly file: string;
  readonly path: string;
  private readonly tracker = new OffsetTracker();
  // The files read, oldest first: the offset their first byte has in the tracker, and their inode. Offsets of
  // all of them grow together; only those not wholly done are kept.
  private files: { base: number; inode: number }[] = [{ base: 0, inode: -1 }];
  private saved = -1;

  constructor(file: string, path: string) {
    this.file = file;
    this.path = path;
  }

  /** Where reading begins: the saved position of this same file, or 0. */
  resumeAt(): number {
    let inode: number;
    let size: number;
    try {
      ({ ino: inode, size } = statSync(this.path));
    } catch {
      return 0; // no file yet: the reader reports it
    }
    this.files[0]!.inode = inode;
    let stored: Stored;
    try {
      stored = JSON.parse(readFileSync(this.file, 'utf8')) as Stored;
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return 0;
      throw new TwinstreamError('TS_FILE_READ', `fromTextFile: position file ${this.file} is unreadable: ${e}`, {
        cause: e,
        context: { path: this.file },
      });
    }
    if (stored.inode !== inode || !Number.isSafeInteger(stored.position) || stored.position > size) return 0;
    this.saved = stored.position;
    return stored.position;
  }

  /** The metadata of a line ending at byte `end` (exclusive): tracked until the graph is done with it. */
  line(end: number): MetadataEntry[] {
    return [this.tracker.push(new LineEntry(this.files.at(-1)!.base + end - 1))];
  }

  /**
   * The follow goes on in another file (`inode`: a rotated file's successor, or the same file truncated) after
   * `end` bytes of the one read so far: positions from here are in the new file, from its start.
   */
  switchTo(inode: number, end: number): void {
    const last = this.files.at(-1)!;
    this.files.push({ base: last.base + end, inode });
  }

  /** Writes the position over the finished lines, if it moved: in the newest file all of whose earlier lines are done. */
  save(): void {
    const next = this.tracker.committable();
    if (next < 0 || next === this.saved) return;
    let i = this.files.length - 1;
    while (i > 0 && this.files[i]!.base > next) i--;
    if (i > 0) this.files = this.files.slice(i);
    const { base, inode } = this.files[0]!;
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify({ inode, position: next - base } satisfies Stored));
    renameSync(temp, this.file);
    this.saved = next;
  }
}
