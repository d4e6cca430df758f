/** Function logs: `<dataDir>/logs/<function>.log`, the last lines of each in memory, and an optional printer. */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

const TAIL_LINES = 500;

export function createFunctionLogs(logDir: string, onLog?: (functionName: string, line: string) => void) {
  const tails = new Map<string, string[]>();
  const files = new Map<string, WriteStream>();
  mkdirSync(logDir, { recursive: true });

  const log = (functionName: string, line: string) => {
    const tail = tails.get(functionName) ?? [];
    tails.set(functionName, tail);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.splice(0, tail.length - TAIL_LINES);
    let file = files.get(functionName);
    if (!file) {
      file = createWriteStream(join(logDir, `${functionName}.log`), { flags: 'a' });
      files.set(functionName, file);
    }
    // An invocation still running while the service stops must not write to a closed log (an unhandled error).
    if (!file.writableEnded && !file.destroyed) file.write(`${line}\n`);
    onLog?.(functionName, line);
  };

  /** Logs a child's stdout or stderr line by line. */
  const pipeLines = (functionName: string, stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) log(functionName, line);
    });
    stream.on('end', () => {
      if (pending) log(functionName, pending);
    });
  };

  const close = () =>
    Promise.all([...files.values()].map((file) => new Promise<void>((resolve) => file.end(() => resolve()))));

  return { log, pipeLines, tail: (functionName: string) => [...(tails.get(functionName) ?? [])], close };
}
