/**
 * pdftotext and pdffonts (Debian's poppler-utils) for reading letters back. Installed with apt-get when missing
 * and running as root (CI and these machines run as root); otherwise the tests fail with the one command to run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const INSTALL = 'apt-get update && apt-get install -y poppler-utils';

const present = () => spawnSync('pdftotext', ['-v']).error === undefined;

let ensured = false;

/** Installs poppler-utils when missing (once per process); every reader below calls it first. */
export function ensurePoppler(): void {
  if (ensured || present()) {
    ensured = true;
    return;
  }
  if (process.getuid?.() !== 0) throw new Error(`pdftotext is missing: run \`sudo sh -c '${INSTALL}'\``);
  // Shared lock: several test runs on one machine must not run apt-get at the same time.
  const result = spawnSync('flock', ['/tmp/tenggat-apt.lock', 'sh', '-c', INSTALL], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
  });
  if (result.status !== 0 || !present())
    throw new Error(
      `could not install poppler-utils (${result.stderr?.slice(-500)}): run \`${INSTALL}\` as root`,
    );
  ensured = true;
}

function withFile<T>(pdf: Buffer, use: (path: string) => T): T {
  ensurePoppler();
  const dir = mkdtempSync(join(tmpdir(), 'tenggat-letter-'));
  try {
    const path = join(dir, 'letter.pdf');
    writeFileSync(path, pdf);
    return use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The letter's text as pdftotext reads it (pages separated by form feeds); `layout` keeps the columns apart. */
export const pdfText = (pdf: Buffer, options: { layout?: boolean } = {}): string =>
  withFile(pdf, (path) =>
    execFileSync('pdftotext', [...(options.layout ? ['-layout'] : []), '-enc', 'UTF-8', path, '-'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    }),
  );

/** `pdffonts` rows: name, type, embedded. */
export const pdfFonts = (pdf: Buffer): { name: string; embedded: boolean }[] =>
  withFile(pdf, (path) =>
    execFileSync('pdffonts', [path], { encoding: 'utf8' })
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((line) => {
        const columns = line.trim().split(/\s+/);
        // name type [encoding...] emb sub uni object ID
        return { name: columns[0] ?? '', embedded: columns[columns.length - 5] === 'yes' };
      }),
  );
