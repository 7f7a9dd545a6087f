// Child processes of the bench: each pinned to a core with taskset (util-linux) when it is
// there and the machine has the cores asked for, so the service and its load generator do not
// compete for one. A child's stderr is kept (its tail) to explain a failure in one line.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';

export interface Pinning {
  /** Why processes are not pinned, or undefined when they are. */
  unpinnedBecause: string | undefined;
}

export function checkPinning(cpus: number[]): Pinning {
  const needed = Math.max(...cpus) + 1;
  if (new Set(cpus).size < cpus.length)
    return { unpinnedBecause: `the cores asked for are not distinct (${cpus.join(', ')})` };
  if (availableParallelism() < needed) {
    return { unpinnedBecause: `${availableParallelism()} core(s) available, core ${needed - 1} asked for` };
  }
  const probe = spawnSync('taskset', ['-c', String(cpus[0]), 'true']);
  if (probe.error || probe.status !== 0) return { unpinnedBecause: 'taskset (util-linux) is not usable here' };
  return { unpinnedBecause: undefined };
}

export interface ChildOptions {
  /** The core to pin to, or undefined to leave the process to the scheduler. */
  cpu: number | undefined;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  ipc?: boolean;
  captureStdout?: boolean;
}

export interface Child {
  process: ChildProcess;
  /** The last few kilobytes the child wrote to stderr. */
  stderrTail(): string;
}

const STDERR_KEPT = 16_384;

/** Starts `node <args>` (the running Node), through `taskset -c <cpu>` when pinned. */
export function startNode(options: ChildOptions): Child {
  const command = [process.execPath, '--disable-warning=ExperimentalWarning', ...options.args];
  const pinned = options.cpu === undefined ? command : ['taskset', '-c', String(options.cpu), ...command];
  const child = spawn(pinned[0], pinned.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
  });
  return { process: child, stderrTail: () => stderr };
}

/**
 * One line saying why a child failed, from its stderr: the first error message, never its stack.
 */
export function failureLine(child: Child, what: string): string {
  const lines = child
    .stderrTail()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(at |\^|\{|\}|node:|Node\.js v)/.test(line));
  // `SyntaxError: …`, `Error: connect ECONNREFUSED …`: Node prints the thrown error's name first.
  const error = lines.find((line) => /^([A-Z]\w*)?(Error|Exception)\b/.test(line)) ?? lines.at(-1);
  return error ? `${what}: ${error.slice(0, 200)}` : what;
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return code !== null ? `exited with code ${code}` : `ended by ${signal}`;
}

/** The next IPC message carrying `key`; rejects if the child exits or stays silent for `timeoutMs`. */
export async function nextMessage<T>(child: Child, key: string, timeoutMs: number): Promise<T> {
  const proc = child.process;
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (typeof message === 'object' && message !== null && key in message) {
        done();
        resolve((message as Record<string, T>)[key]);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      done();
      reject(new Error(failureLine(child, `${exitText(code, signal)} before sending ${key}`)));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(failureLine(child, `no ${key} within ${timeoutMs / 1000} s`)));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      proc.off('message', onMessage);
      proc.off('exit', onExit);
    };
    proc.on('message', onMessage);
    proc.on('exit', onExit);
  });
}

/** Waits for a child that runs a job and exits by itself; a failure rejects with its error line. */
export async function ended(child: Child, what: string): Promise<void> {
  const proc = child.process;
  const [code, signal] =
    proc.exitCode !== null || proc.signalCode !== null
      ? [proc.exitCode, proc.signalCode]
      : ((await once(proc, 'exit')) as [number | null, NodeJS.Signals | null]);
  if (code !== 0) throw new Error(failureLine(child, `${what} ${exitText(code, signal)}`));
}

/** SIGTERM, as `docker stop` sends; true if the process ended by it within 3 s (else it is killed). */
export async function stop(child: Child): Promise<boolean> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return true;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
  const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return signal !== 'SIGKILL';
}
