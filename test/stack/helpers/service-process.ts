import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A fixture service in its own process, started with nothing but the register flag. */
export class ServiceProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;
  private done = false;

  constructor(script: string, env: Record<string, string>) {
    // Resolved from the repository root, as a user's service resolves the installed package.
    this.child = spawn(process.execPath, ['--import', '@hopscope/instrumentation/register', `${FIXTURES}${script}`], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BLRP_SCHEDULE_DELAY: '200', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = once(this.child, 'exit').then(() => (this.done = true));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ unparsed: line });
      }
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  /** The base URL once the service logged its `listening` line. */
  async baseUrl(timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => l['msg'] === 'listening');
      if (line) return `http://127.0.0.1:${String(line['port'])}`;
      if (this.done || Date.now() > deadline) {
        throw new Error(`service did not start; stderr:\n${this.stderr.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Resolves when the process has ended by itself (a fixture that runs a job and exits). */
  async ended(timeoutMs = 15_000): Promise<void> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGTERM: the package flushes what it holds before the process ends. */
  async stop(): Promise<void> {
    if (!this.done) this.child.kill('SIGTERM');
    await this.exited;
  }
}
