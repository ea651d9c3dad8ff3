import type { Logger } from './log.js';

/** What the guard listens to: `process`, or a stand-in in tests. */
export interface ProcessEvents {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): unknown;
  off(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): unknown;
}

/** The first frame of a stack that is not Node's own: a file and line, never input. */
function where(err: unknown): string | null {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const frame = stack.split('\n').find((line) => /^\s+at /.test(line) && !line.includes('node:'));
  return frame?.trim().slice(0, 200) ?? null;
}

/**
 * The relay's last line of defence (issue #12.9): an exception or rejection nobody caught is
 * logged (`process.uncaught_exception` / `process.unhandled_rejection`, with the error's name
 * and where it was thrown, never its message, which can quote input) and the process goes on.
 * Node's default is to exit, which loses every pairing and connection the relay holds in
 * memory for everyone, because of one stranger's message. Everything from outside is checked
 * before it reaches a library (signalling messages, tunnel frames, HTTP input); this guard is
 * for what those checks missed, so that one missed case costs one request, not the relay.
 * Returns a function that removes the guard.
 */
export function guardProcess(logger: Logger, target: ProcessEvents = process): () => void {
  const log = (event: string) => (err: unknown) =>
    logger.log('error', event, {
      error: err instanceof Error ? err.name : typeof err,
      at: where(err),
    });
  const onException = log('process.uncaught_exception');
  const onRejection = log('process.unhandled_rejection');
  target.on('uncaughtException', onException);
  target.on('unhandledRejection', onRejection);
  return () => {
    target.off('uncaughtException', onException);
    target.off('unhandledRejection', onRejection);
  };
}
