import { StreamingFrame } from './streaming-frame.ts';

declare module './streaming-frame.ts' {
  interface StreamingFrame {
    /**
     * The last `n` rows seen so far (across frames), after every frame. The rows are held, with their frames'
     * metadata, until they leave.
     * @example sf.tail(5)
     */
    tail(n?: number): StreamingFrame;
  }
}

StreamingFrame.prototype.tail = function tail(this: StreamingFrame, n = 5): StreamingFrame {
  return this.window({ n }).full();
};
