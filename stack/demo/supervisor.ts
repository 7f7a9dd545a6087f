// Runs one demo service instance as a child process and keeps it running: an instance that
// exits (a crash, a SIGKILL from a chaos scenario) is started again after a short backoff,
// as compose's `restart: unless-stopped` would. Output goes to .demo/logs/<instance>.log,
// appended across restarts so a crash and what followed stay in one file.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface InstanceOptions {
  /** e.g. `order-view-2`; names the log file. */
  id: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  logDir: string;
  /** Children outlive the supervisor's process group (demo:up); they still die with stop(). */
  detached?: boolean;
  onRestart?: (id: string, exit: string) => void;
}

const MAX_BACKOFF_MS = 10_000;
// An instance that ran this long before exiting is restarted at once, not after a backoff.
const HEALTHY_RUN_MS = 30_000;

export class SupervisedInstance {
  readonly options: InstanceOptions;
  restarts = 0;
  private child: ChildProcess | undefined;
  private stopping = false;
  private backoffMs = 500;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(options: InstanceOptions) {
    this.options = options;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFile(): string {
    return join(this.options.logDir, `${this.options.id}.log`);
  }

  start(): void {
    mkdirSync(this.options.logDir, { recursive: true });
    const fd = openSync(this.logFile, 'a');
    const child = spawn(this.options.command, this.options.args, {
      cwd: this.options.cwd,
      env: this.options.env,
      stdio: ['ignore', fd, fd],
      detached: this.options.detached ?? false,
    });
    closeSync(fd);
    const startedAt = Date.now();
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.stopping) return;
      const ranMs = Date.now() - startedAt;
      this.backoffMs = ranMs > HEALTHY_RUN_MS ? 500 : Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      this.restarts++;
      this.options.onRestart?.(this.options.id, signal ?? `code ${code}`);
      this.restartTimer = setTimeout(() => this.start(), this.backoffMs);
    });
  }

  /** Sends a signal (SIGKILL for a crash); the supervisor restarts the instance. */
  kill(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  /** Stops the instance (SIGTERM) and starts it again at once, with `env` changed. */
  async restart(env: Record<string, string> = {}): Promise<void> {
    await this.stop();
    Object.assign(this.options.env, env);
    this.stopping = false;
    this.backoffMs = 500;
    this.start();
  }

  /** From now on an exit is final. */
  holdRestarts(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
  }

  /** SIGTERM (a graceful shutdown), then SIGKILL after `graceMs`; no restart. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
