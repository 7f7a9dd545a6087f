// Builds what the demo needs and is missing: the backends (stack/build.sh), cached outside
// the repo, so only a machine's first run pays.
// A first build takes many minutes: show which part is building and for how long, and keep
// the Go toolchain's chatter in .demo/logs/build.log.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../paths.ts';

const HEARTBEAT_MS = 30_000;

/**
 * Runs one build script; resolves with what it printed on stdout (build-tools.sh --print-path
 * prints a binary's path) when it succeeds, rejects naming the log on failure.
 */
export async function runBuild(
  script: string,
  args: string[],
  logDir: string,
  say: (line: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const logPath = join(logDir, 'build.log');
  const logStream = createWriteStream(logPath, { flags: 'a' });
  // Its own process group, so that an abort ends the Go builds it runs too.
  const child = spawn('bash', [join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const abort = () => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  };
  signal?.addEventListener('abort', abort, { once: true });
  let building: { what: string; since: number } | undefined;
  const heartbeat = setInterval(() => {
    if (building) say(`  still building ${building.what} (${Math.round((Date.now() - building.since) / 1000)} s)`);
  }, HEARTBEAT_MS);
  const printed: string[] = [];
  const onLine = (line: string) => {
    logStream.write(`${line}\n`);
    // build.sh and build-tools.sh report as `[build(-tools) HH:MM:SS] <name>: building into …|done (…)|cached in …`.
    const match = /^\[build(?:-tools)? [\d:]+\] ([\w.-]+): (building|done|cached)/.exec(line);
    if (!match) return;
    const [, what, state] = match;
    if (state === 'building') {
      building = { what: what, since: Date.now() };
      say(`  building ${what} (first run only; cached afterwards)`);
    } else if (state === 'done') {
      say(`  built ${what} in ${Math.round((Date.now() - (building?.since ?? Date.now())) / 1000)} s`);
      building = undefined;
    }
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    printed.push(line);
    onLine(line);
  });
  createInterface({ input: child.stderr }).on('line', onLine);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(heartbeat);
  signal?.removeEventListener('abort', abort);
  logStream.end();
  if (code !== 0) throw new Error(`${script} ${args.join(' ')} failed (exit ${code}); see ${logPath}`);
  return printed.join('\n').trim();
}
