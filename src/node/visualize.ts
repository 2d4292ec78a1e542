import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toDot } from '../core/graph.ts';
import { Stream } from '../core/stream.ts';
import { badArgument, TwinstreamError } from '../errors.ts';

export type VisualizeFormat = 'svg' | 'png';

export interface VisualizeOptions {
  /** What graphviz renders. Default: the file's extension (`.svg`, `.png`), else `'svg'`. */
  format?: VisualizeFormat;
}

/** What {@link visualize} did. */
export interface VisualizeResult {
  /** The file written: the rendered image, or the `.dot` next to it when graphviz is missing. */
  readonly file: string;
  /** True when graphviz rendered the image. */
  readonly rendered: boolean;
  /** A sentence for the user saying what was written, and how to get the image when it was not. */
  readonly message: string;
}

const FORMATS: readonly string[] = ['svg', 'png'];

/**
 * Draws the graph around `node` to `file` as SVG or PNG with graphviz's `dot` when it is on the PATH. Without it,
 * writes the DOT source next to `file` (`graph.svg` → `graph.dot`) and says so in `message`: graphviz is an
 * optional tool, not a dependency (Debian: `apt-get install graphviz`).
 *
 * @example
 * const { file, rendered, message } = await visualize(source, 'pipeline.svg');
 * if (!rendered) console.warn(message);
 */
export async function visualize(
  node: Stream<any>,
  file: string | URL,
  options: VisualizeOptions = {},
): Promise<VisualizeResult> {
  if (!(node instanceof Stream)) badArgument('visualize', 'node', node, 'a Stream');
  if (!(file instanceof URL) && (typeof file !== 'string' || file === '')) {
    badArgument('visualize', 'file', file, 'a file path or a file: URL');
  }
  const path = file instanceof URL ? fileURLToPath(file) : file;
  const ext = extname(path).slice(1).toLowerCase();
  const format = options.format ?? (FORMATS.includes(ext) ? (ext as VisualizeFormat) : 'svg');
  if (!FORMATS.includes(format)) badArgument('visualize', 'format', format, '"svg" or "png"');
  const dot = toDot(node);
  const outcome = await runDot(dot, format, path);
  if (outcome === 'rendered') {
    return { file: path, rendered: true, message: `rendered the graph to ${path} with graphviz dot` };
  }
  const dotFile = ext === '' ? `${path}.dot` : `${path.slice(0, -ext.length - 1)}.dot`;
  await writeFile(dotFile, dot);
  return {
    file: dotFile,
    rendered: false,
    message:
      `graphviz "dot" is not on the PATH, so the graph was written as DOT to ${dotFile}; install graphviz ` +
      `(Debian: apt-get install graphviz) or render it with: dot -T${format} ${dotFile} -o ${path}`,
  };
}

/**
 * Runs `dot -T<format> -o <path>` on `source`: 'rendered', or 'missing' when there is no dot on the PATH.
 *
 * @example
 * await runDot('digraph { a -> b }', 'svg', 'graph.svg'); // 'rendered'
 * @internal
 */
export function runDot(source: string, format: VisualizeFormat, path: string): Promise<'rendered' | 'missing'> {
  return new Promise((resolve, reject) => {
    const child = spawn('dot', [`-T${format}`, '-o', path], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr += s));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') resolve('missing');
      else reject(new TwinstreamError('TS_RENDER_FAILED', `visualize: could not run dot: ${e.message}`, { cause: e }));
    });
    child.on('close', (code) => {
      if (code === 0) resolve('rendered');
      else if (code !== null) {
        reject(
          new TwinstreamError('TS_RENDER_FAILED', `visualize: dot exited with code ${code}: ${stderr.trim()}`, {
            context: { path, format },
          }),
        );
      }
    });
    // A missing dot closes stdin at once: ignore EPIPE here, the 'error' event above says what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(source);
  });
}

declare module '../core/stream.ts' {
  interface Stream<T> {
    /**
     * Draws the graph around this node to an SVG or PNG file (graphviz), or writes its `.dot`: see {@link visualize}.
     * @example console.log((await source.visualize('graph.svg')).message);
     */
    visualize(file: string | URL, options?: VisualizeOptions): Promise<VisualizeResult>;
  }
}

Stream.register('visualize', function (this: Stream<any>, file: string | URL, options?: VisualizeOptions) {
  return visualize(this, file, options);
});
