// Processes: a command's stdout lines as a source (node:child_process). Re-exports only, by name.

import '../../core/index.ts';
import './from-process.ts';

export type { FromProcessOptions, ProcessExit } from './process-source.ts';
export { ProcessSource } from './process-source.ts';
