import type { FrameStateOptions } from './frame-state-node.ts';
import { StreamingFrame } from './streaming-frame.ts';

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * The last `n` rows seen so far (across frames, per input partition), after every frame. The rows are held,
     * with their frames' metadata, until they leave.
     * @example sf.tail(5)
     */
    tail(n?: number, options?: FrameStateOptions): StreamingFrame;
  }
}

StreamingFrame.prototype.tail = function tail(
  this: StreamingFrame,
  n = 5,
  options?: FrameStateOptions,
): StreamingFrame {
  return this.window({ n, ...(options?.namespace === undefined ? {} : { namespace: options.namespace }) }).full();
};
