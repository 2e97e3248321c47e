/** Runs the `smev-gateway` command as a person would, in a child process, and reads what it printed. */
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { resolve } from 'node:path';

/** The command as built in this checkout. */
export const CLI = resolve('dist/src/cli/main.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  /** On top of this process's environment, minus the settings a developer's shell may hold. */
  readonly env?: Record<string, string>;
  /** Another program than `node <CLI>` (an installed `smev-gateway`). */
  readonly bin?: string;
}

const GATEWAY_VARIABLES = [
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'SQLITE_FILE',
  'DATABASE_URL',
  'SMEV_GATEWAY_CONFIG',
  'DEBUG',
];

export function cliEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of GATEWAY_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const [command, ...prefix] = options.bin ? [options.bin] : [process.execPath, CLI];
  const child = spawn(command as string, [...prefix, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: cliEnvironment(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** A failure told in one line: the message, exit code 1, and no stack frames. */
export function expectCleanFailure(run: CliRun, message: string | RegExp): void {
  expect(run.code, run.stderr).to.equal(1);
  if (typeof message === 'string') expect(run.stderr).to.include(message);
  else expect(run.stderr).to.match(message);
  expectNoStack(run);
}

export function expectNoStack(run: CliRun): void {
  expect(run.stderr).not.to.match(/^\s+at /m);
  expect(run.stdout).not.to.match(/^\s+at /m);
}
