import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVICES_ENV } from './test-services.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A fixture service in its own process, started with nothing but the register flag. */
export class ServiceProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private readonly exited: Promise<unknown>;

  constructor(script: string, env: Record<string, string>, flags = ['--import', '@hopscope/instrumentation/register']) {
    // Resolved from the repository root, as a user's service resolves the installed package.
    this.child = spawn(process.execPath, [...flags, `${FIXTURES}${script}`], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...SERVICES_ENV,
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_BLRP_SCHEDULE_DELAY: '200',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = once(this.child, 'exit').then(([code, signal]) => {
      this.exitCode = code as number | null;
      this.exitSignal = signal as NodeJS.Signals | null;
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ unparsed: line });
      }
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  /** Resolves with the first log line whose msg is `msg`, or fails with the process's stderr. */
  async waitForLine(msg: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => l['msg'] === msg);
      if (line) return line;
      if (this.exitCode !== null || this.exitSignal !== null || Date.now() > deadline) {
        throw new Error(
          `no "${msg}" line; exit=${this.exitCode ?? this.exitSignal}; stderr:\n${this.stderr.join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exitCode === null && this.exitSignal === null) this.child.kill(signal);
    await this.exited;
  }
}
