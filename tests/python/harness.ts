/**
 * Helpers for the tests that run the exported Python script: the interpreter and whether it has
 * torch, optuna and numpy, unpacking an exported zip, running a Python process, and a throwaway
 * PostgreSQL cluster on 127.0.0.1 (stopped and deleted afterwards).
 */
import { execFileSync, spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

/** The interpreter the tests use: Debian's, which has python3-torch and python3-optuna. */
export const PYTHON = process.env.HPP_PYTHON ?? '/usr/bin/python3';

/** This folder (tests/python), where checks.py lives. */
export const PY_TESTS_DIR = dirname(fileURLToPath(import.meta.url));

/** '' when PYTHON can import torch, optuna and numpy, else why not. */
export function pythonProblem(): string {
  try {
    execFileSync(PYTHON, ['-c', 'import numpy, torch, optuna'], { stdio: 'pipe', timeout: 60_000, cwd: tmpdir() });
    return '';
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    if (err.code === 'ENOENT') return `${PYTHON} does not exist`;
    const last = String(err.stderr ?? '').trim().split('\n').pop() ?? '';
    return `${PYTHON} cannot import numpy, torch and optuna (${last})`;
  }
}

/** Unzips an exported bundle into `dir`; returns the folder holding study.py. */
export function unpack(zip: Uint8Array, dir: string): string {
  const files = unzipSync(zip);
  let folder = dir;
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    if (name.endsWith('/study.py')) folder = dirname(path);
  }
  return folder;
}

/** What a finished process said. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** wall time, ms. */
  ms: number;
}

/** Runs PYTHON with `args` at low priority, one torch thread, in `cwd`; resolves when it exits (rejects after `timeoutMs`). */
export function runPython(args: string[], cwd: string, timeoutMs = 120_000): Promise<Ran> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '10', PYTHON, ...args], {
      cwd,
      env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python ${args.join(' ')} took over ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - start });
    });
  });
}

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Where PostgreSQL 15's programs are. */
export const PG_BIN = process.env.HPP_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** '' when a throwaway PostgreSQL cluster can be started here, else why not. */
export function postgresProblem(): string {
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl')) || !existsSync(join(PG_BIN, 'psql'))) return `no PostgreSQL programs in ${PG_BIN} (set HPP_PG_BIN)`;
  if (process.getuid?.() === 0 && !userIds('postgres')) return 'running as root, and there is no postgres user to run the server as';
  return '';
}

/** A running throwaway cluster: its SQLAlchemy URL, a psql runner, and stop(). */
export interface Postgres {
  url: string;
  port: number;
  /** runs one SQL statement, returns psql's unaligned output. */
  sql(statement: string): string;
  /** stops the server and deletes its folder. */
  stop(): void;
}

/** id of the user `name` (uid, gid), or null when there is none. */
function userIds(name: string): { uid: number; gid: number } | null {
  try {
    const [uid, gid] = ['-u', '-g'].map((f) => Number(execFileSync('id', [f, name], { stdio: 'pipe' }).toString().trim()));
    return { uid, gid };
  } catch {
    return null;
  }
}

/**
 * Starts PostgreSQL in a new temporary folder, listening on 127.0.0.1 only (and a socket in that
 * folder), trust authentication, database `hpp`. PostgreSQL refuses to run as root, so as root the
 * folder belongs to the `postgres` user and the server runs as it (runuser).
 */
export async function startPostgres(): Promise<Postgres> {
  const root = process.getuid?.() === 0;
  const pgUser = root ? userIds('postgres') : null;
  if (root && !pgUser) throw new Error('running as root and there is no postgres user to run the server as');
  const dir = mkdtempSync(join(tmpdir(), 'hpp-pg-'));
  const data = join(dir, 'data');
  if (pgUser) chownSync(dir, pgUser.uid, pgUser.gid);
  const asPg = (cmd: string, args: string[]) => (pgUser ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const);
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asPg(cmd, args);
    return execFileSync(c, [...a], { stdio: 'pipe', cwd: dir, timeout: 60_000 }).toString();
  };
  const port = await freePort();
  run(join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const stop = () => {
    try {
      run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const sql = (statement: string, db = 'hpp') => execFileSync(join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-At', '-v', 'ON_ERROR_STOP=1', '-c', statement], { stdio: 'pipe', timeout: 30_000 }).toString();
  try {
    sql('CREATE DATABASE hpp', 'postgres');
  } catch (e) {
    stop();
    throw e;
  }
  return { url: `postgresql://postgres@127.0.0.1:${port}/hpp`, port, sql: (s) => sql(s), stop };
}

/**
 * What a Python test file does when PYTHON cannot run it (`problem` non-empty): in CI (.ci/run
 * installs everything) a failure, never a silent skip; on a developer's machine without Debian's
 * PyTorch/Optuna a skipped test whose name says why.
 */
export function reportMissingPython(problem: string): void {
  if (!problem) return;
  if (process.env.CI) it('the Python tests can run in CI', () => expect.fail(`Python tests cannot run: ${problem}`));
  else it.skip(`Python tests skipped: ${problem}`, () => {});
}
