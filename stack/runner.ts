// Starts the backends as local processes on loopback, waits until each answers, and stops
// everything it started. Fails fast: a backend that exits or does not become ready in time
// stops the whole start with that backend's own log tail in the error, never a hang.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type BackendName, type BackendSpec, backendSpecs } from './backends.ts';
import { binaries, LOG_DIR } from './paths.ts';
import { HOST } from './ports.ts';

export class StackStartError extends Error {
  readonly code = 'STACK_START_FAILED';
}

export interface StartOptions {
  /** Children outlive this process (npm run stack:up); the default ties them to it. */
  detached?: boolean;
  /** How long one backend may take to become ready. @default 90000 */
  readyTimeoutMs?: number;
  /** Backend specs to run instead of the real ones (the runner's own tests). */
  specs?: BackendSpec[];
}

export function logFile(name: string): string {
  return join(LOG_DIR, `${name}.log`);
}

/** The last lines of a backend's log, for error messages. */
export function logTail(name: string, lines = 30): string {
  return fileTail(logFile(name), lines);
}

/** The last lines of a log file, for error messages. */
export function fileTail(file: string, lines: number): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Whether something listens on a loopback port (one that accepts but is slow counts as listening). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    const done = (inUse: boolean) => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(1000);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    // Something accepted the connection attempt but is slow: still in use.
    socket.once('timeout', () => done(true));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Stack {
  private readonly children = new Map<BackendName, ChildProcess>();
  private readonly specs: BackendSpec[];
  private readonly detached: boolean;
  private readonly readyTimeoutMs: number;
  private readonly killOnExit = () => {
    for (const child of this.children.values()) child.kill('SIGKILL');
  };
  // Interrupted (Ctrl-C, a test runner's timeout): stop the backends, then end as the signal
  // would have ended the process without this handler.
  private readonly killOnSignal = (signal: NodeJS.Signals) => {
    this.killOnExit();
    this.removeExitHooks();
    process.kill(process.pid, signal);
  };

  private constructor(options: StartOptions) {
    this.specs = options.specs ?? backendSpecs(binaries());
    this.detached = options.detached ?? false;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
    // A test process that dies without running its after() hooks must not leave backends behind.
    if (!this.detached) {
      process.once('exit', this.killOnExit);
      process.once('SIGINT', this.killOnSignal);
      process.once('SIGTERM', this.killOnSignal);
    }
  }

  private removeExitHooks(): void {
    process.removeListener('exit', this.killOnExit);
    process.removeListener('SIGINT', this.killOnSignal);
    process.removeListener('SIGTERM', this.killOnSignal);
  }

  /** Starts every backend in order; on any failure stops those already started, then throws. */
  static async start(options: StartOptions = {}): Promise<Stack> {
    const stack = new Stack(options);
    try {
      for (const spec of stack.specs) await stack.launch(spec);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** Process ids by backend, for `npm run stack:down`. */
  pids(): Partial<Record<BackendName, number>> {
    return Object.fromEntries([...this.children].map(([name, child]) => [name, child.pid]));
  }

  private spec(name: BackendName): BackendSpec {
    const spec = this.specs.find((s) => s.name === name);
    if (!spec) throw new Error(`no backend named ${name}`);
    return spec;
  }

  /** `append`: a restart keeps the log of the run before it. */
  private async launch(spec: BackendSpec, append = false): Promise<void> {
    if (!existsSync(spec.command)) {
      throw new StackStartError(`${spec.name}: ${spec.command} is not built; run \`bash stack/build.sh\``);
    }
    for (const port of spec.ports) {
      if (await portInUse(port)) {
        throw new StackStartError(
          `${spec.name}: port ${HOST}:${port} is already in use (a stack left running? \`npm run stack:down\`)`,
        );
      }
    }
    spec.prepare(!append);
    mkdirSync(LOG_DIR, { recursive: true });
    const fd = openSync(logFile(spec.name), append ? 'a' : 'w');
    const child = spawn(spec.command, spec.args, {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...spec.env },
      stdio: ['ignore', fd, fd],
      detached: this.detached,
    });
    closeSync(fd);
    if (this.detached) child.unref();
    this.children.set(spec.name, child);
    await this.waitReady(spec, child);
  }

  private async waitReady(spec: BackendSpec, child: ChildProcess): Promise<void> {
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
    child.once('error', (error) => (exited = `could not start (${error.message})`));
    const deadline = Date.now() + this.readyTimeoutMs;
    for (;;) {
      if (exited !== undefined) {
        this.children.delete(spec.name);
        throw new StackStartError(`${spec.name} ${exited} before it was ready; its log:\n${logTail(spec.name)}`);
      }
      if (Date.now() > deadline) {
        throw new StackStartError(
          `${spec.name} not ready at ${spec.readyUrl} after ${this.readyTimeoutMs} ms (pid ${child.pid}, stopped); ` +
            `its log:\n${logTail(spec.name)}`,
        );
      }
      try {
        const response = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(1000) });
        await response.body?.cancel();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
  }

  /** Stops one backend and starts it again on the same ports (fault tests). */
  async restart(name: BackendName): Promise<void> {
    await this.stopBackend(name);
    await this.launch(this.spec(name), true);
  }

  /** Starts a backend stopped by stopBackend() again (a no-op when it runs). */
  async startBackend(name: BackendName): Promise<void> {
    if (this.children.has(name)) return;
    await this.launch(this.spec(name), true);
  }

  async stopBackend(name: BackendName): Promise<void> {
    const child = this.children.get(name);
    this.children.delete(name);
    if (child?.pid !== undefined) await stopPid(child.pid, child);
  }

  /** Stops everything this stack started, the collector first (it flushes to the others). */
  async stop(): Promise<void> {
    for (const name of [...this.children.keys()].reverse()) await this.stopBackend(name);
    this.removeExitHooks();
  }
}

/** Whether a process with this pid is still running (signal 0 only checks). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopPid(pid: number, child?: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    return;
  }
  // Not our child (started detached by an earlier `stack:up`): poll until it is gone.
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}
