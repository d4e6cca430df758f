/**
 * Keeps a record (`<dataDir>/processes.json`) of the local cloud's own pid, its child processes and its ports, so
 * that after a `kill -9` of the whole local cloud the next start can find and stop what the dead run left behind.
 * A pid is only killed when its command line still contains the marker recorded with it (pids get reused).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

export class LocalCloudAlreadyRunningError extends Error {
  constructor(
    readonly pid: number,
    dataDir: string,
  ) {
    super(`another local cloud (pid ${pid}) is running on ${dataDir}; stop it first`);
    this.name = 'LocalCloudAlreadyRunningError';
  }
}

export interface RecordedProcess {
  name: string;
  pid: number;
  /** A string the process's command line must contain for it to be ours. */
  marker: string;
}

interface ProcessFile {
  supervisor: { pid: number; marker: string } | undefined;
  children: RecordedProcess[];
  ports: number[];
}

/** True while the process runs; a zombie (dead, not yet reaped, e.g. under an init that never reaps) is dead. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
};

/** The command line of a running process, or undefined when it is gone. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** SIGTERM, then SIGKILL after `graceMs`, but only if the command line still carries the marker. */
export async function killIfOurs(pid: number, marker: string, graceMs = 3000): Promise<boolean> {
  const commandLine = commandLineOf(pid);
  if (!isAlive(pid) || !commandLine?.includes(marker)) return false;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (isAlive(pid)) await sleep(20);
  }
  return true;
}

/** True when nothing accepts connections on 127.0.0.1:port. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

export async function waitForPortsFree(ports: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await isPortFree(port)) && Date.now() < deadline) await sleep(100);
  }
}

export interface ProcessRegistry {
  /** Pids and ports the previous run left (and that this start cleared). */
  cleared: RecordedProcess[];
  recordChild(child: RecordedProcess): void;
  forgetChild(pid: number): void;
  recordPort(port: number): void;
  /** Removes the record (clean stop). */
  release(): void;
}

// The script that runs the supervisor (e.g. `local/cloud/main.ts`) tells it apart from an unrelated reused pid.
const SUPERVISOR_MARKER = process.argv[1] ?? 'node';

/**
 * Clears what a previous run on this data dir left behind and starts a new record for this process.
 * Throws `LocalCloudAlreadyRunningError` when the previous supervisor is still alive.
 */
export async function openProcessRegistry(dataDir: string): Promise<ProcessRegistry> {
  const path = join(dataDir, 'processes.json');
  const state: ProcessFile = { supervisor: undefined, children: [], ports: [] };
  const cleared: RecordedProcess[] = [];
  if (existsSync(path)) {
    let previous: ProcessFile | undefined;
    try {
      previous = JSON.parse(readFileSync(path, 'utf8')) as ProcessFile;
    } catch {
      previous = undefined;
    }
    const supervisor = previous?.supervisor;
    if (
      supervisor &&
      supervisor.pid !== process.pid &&
      isAlive(supervisor.pid) &&
      commandLineOf(supervisor.pid)?.includes(supervisor.marker)
    ) {
      throw new LocalCloudAlreadyRunningError(supervisor.pid, dataDir);
    }
    for (const child of previous?.children ?? []) {
      if (await killIfOurs(child.pid, child.marker)) cleared.push(child);
    }
    await waitForPortsFree(previous?.ports ?? []);
  }
  const save = () => {
    const temporary = `${path}.tmp`;
    writeFileSync(temporary, JSON.stringify(state, null, 2), { mode: 0o600 });
    renameSync(temporary, path);
  };
  state.supervisor = { pid: process.pid, marker: SUPERVISOR_MARKER };
  save();
  return {
    cleared,
    recordChild: (child) => {
      state.children.push(child);
      save();
    },
    forgetChild: (pid) => {
      state.children = state.children.filter((child) => child.pid !== pid);
      save();
    },
    recordPort: (port) => {
      state.ports.push(port);
      save();
    },
    release: () => rmSync(path, { force: true }),
  };
}

/** Runs `stop` once on SIGINT/SIGTERM/SIGHUP, then exits; a second Ctrl-C exits at once. */
export function stopOnSignals(stop: () => Promise<void>): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the local cloud...\n`);
    stop()
      .catch((error: unknown) => process.stderr.write(`error while stopping: ${String(error)}\n`))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
