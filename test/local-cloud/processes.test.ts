import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  commandLineOf,
  isAlive,
  isPortFree,
  LocalCloudAlreadyRunningError,
  openProcessRegistry,
} from '../../local/cloud/processes';

const started: number[] = [];

/** A long-running node process listening on an ephemeral port; resolves with its pid and port. */
function startListener(marker: string): Promise<{ pid: number; port: number }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port))`,
      marker,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  started.push(child.pid ?? 0);
  return new Promise((resolve) =>
    child.stdout.once('data', (chunk: Buffer) =>
      resolve({ pid: child.pid ?? 0, port: Number(String(chunk).trim()) }),
    ),
  );
}

afterEach(() => {
  for (const pid of started.splice(0)) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

describe('process registry', () => {
  it('kills the children a dead run recorded, frees their ports, and spares a reused pid', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'processes-'));
    const ours = await startListener('tenggat-test-child');
    const stranger = await startListener('someone-else');
    const registry = await openProcessRegistry(dataDir);
    registry.recordChild({ name: 'child', pid: ours.pid, marker: 'tenggat-test-child' });
    // The stranger's pid recorded with our marker stands for a pid reused by another program.
    registry.recordChild({ name: 'reused', pid: stranger.pid, marker: 'tenggat-test-child' });
    registry.recordPort(ours.port);

    const next = await openProcessRegistry(dataDir);
    expect(next.cleared.map((child) => child.name)).toEqual(['child']);
    expect(isAlive(ours.pid)).toBe(false);
    expect(await isPortFree(ours.port)).toBe(true);
    expect(isAlive(stranger.pid)).toBe(true);
    next.release();
  });

  it('refuses to start beside a live supervisor on the same data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'processes-'));
    const other = await startListener('other-supervisor');
    expect(commandLineOf(other.pid)).toContain('other-supervisor');
    writeFileSync(
      join(dataDir, 'processes.json'),
      JSON.stringify({ supervisor: { pid: other.pid, marker: 'other-supervisor' }, children: [], ports: [] }),
    );
    await expect(openProcessRegistry(dataDir)).rejects.toBeInstanceOf(LocalCloudAlreadyRunningError);
  });
});
