import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVICES_ENV } from './test-services.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

// The one helper every suite (this package's, test/stack's) starts its fixture services with.

/**
 * A fixture service in its own process, started with nothing but the register flag, and with
 * the test services' addresses (AMQP_URL, DATABASE_URL) in its environment.
 */
export class ServiceProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private readonly exited: Promise<unknown>;

  /**
   * `script`: a file in this package's test/fixtures, or the URL of another suite's fixture.
   * `env`: added to the defaults; a variable set to undefined is left out.
   */
  constructor(
    script: string | URL,
    env: Record<string, string | undefined>,
    flags = ['--import', '@hopscope/instrumentation/register'],
  ) {
    const path = script instanceof URL ? fileURLToPath(script) : `${FIXTURES}${script}`;
    // Resolved from the repository root, as a user's service resolves the installed package.
    this.child = spawn(process.execPath, [...flags, path], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...SERVICES_ENV,
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_BLRP_SCHEDULE_DELAY: '200',
        // This package's fixtures export to OtlpReceiver, which reads JSON bodies (and protobuf
        // only for logs); other suites' fixtures export to a real collector with the default
        // (http/protobuf).
        ...(script instanceof URL ? {} : { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
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

  /** The base URL once the service logged its `listening` line with its port. */
  async baseUrl(timeoutMs = 15_000): Promise<string> {
    const line = await this.waitForLine('listening', timeoutMs);
    return `http://127.0.0.1:${String(line['port'])}`;
  }

  /** Resolves when the process has ended by itself (a fixture that runs a job and exits). */
  async ended(timeoutMs = 15_000): Promise<void> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGTERM by default: the package flushes what it holds before the process ends. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exitCode === null && this.exitSignal === null) this.child.kill(signal);
    await this.exited;
  }
}
