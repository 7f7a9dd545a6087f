// The report as a browser shows it: Debian's headless Chromium loads the file and hands back
// the DOM it built (so a test sees what a reader sees, not the string we wrote) or a
// screenshot. Each run gets a fresh profile, is bounded in time, and leaves nothing behind.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ChromiumOptions {
  /** @default '/usr/bin/chromium' (Debian's `chromium` package) */
  binary?: string;
  /** Killed (with every process it started) after this long, then run once more. @default 60_000 */
  timeoutMs?: number;
}

export interface ScreenshotOptions extends ChromiumOptions {
  /** @default 1280 */
  width?: number;
  /** @default 2400 */
  height?: number;
}

/** Quiet and offline: no first-run UI, no update or sync calls home, no QUIC probes. */
const FLAGS = [
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  // Without it a tall screenshot can be taken before the lower tiles are painted.
  '--run-all-compositor-stages-before-draw',
];

/** Raised when Chromium had to be killed for running past its time. */
class ChromiumTimeout extends Error {}

// Headless Chromium, which renders a local file in about a second, very rarely hangs (once in
// many runs on this machine). A hung run is killed and the page rendered once more, in a fresh
// profile, and what it printed on stderr goes into the error; any other failure is reported at
// once.
async function runChromium(args: string[], options: ChromiumOptions): Promise<string> {
  try {
    return await runChromiumOnce(args, options);
  } catch (error) {
    if (!(error instanceof ChromiumTimeout)) throw error;
    process.stderr.write(`hopscope: ${error.message}; rendering once more\n`);
    return runChromiumOnce(args, options);
  }
}

async function runChromiumOnce(args: string[], options: ChromiumOptions): Promise<string> {
  const binary = options.binary ?? '/usr/bin/chromium';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const profile = await mkdtemp(join(tmpdir(), 'hopscope-chromium-'));
  // Chromium refuses to run as root with its sandbox on; as another user the sandbox stays.
  const sandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  try {
    return await new Promise<string>((resolvePromise, reject) => {
      // Its own process group, so a timeout ends the renderer and GPU processes too.
      const child = spawn(binary, [...FLAGS, ...sandbox, `--user-data-dir=${profile}`, ...args], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`could not start ${binary}: ${error.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut)
          reject(new ChromiumTimeout(`${binary} did not finish within ${timeoutMs} ms: ${stderr.trim().slice(-500)}`));
        else if (code !== 0)
          reject(new Error(`${binary} exited with ${code ?? signal}: ${stderr.trim().slice(-1000)}`));
        else resolvePromise(Buffer.concat(stdout).toString('utf8'));
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The DOM Chromium built from the file, serialized (`--dump-dom`). */
export async function renderInChromium(htmlPath: string, options: ChromiumOptions = {}): Promise<string> {
  return runChromium(['--dump-dom', pathToFileURL(resolve(htmlPath)).href], options);
}

/** A PNG of the file's first `width`×`height` pixels; returns `pngPath` once the file exists. */
export async function screenshotReport(
  htmlPath: string,
  pngPath: string,
  options: ScreenshotOptions = {},
): Promise<string> {
  const target = resolve(pngPath);
  await runChromium(
    [
      `--screenshot=${target}`,
      `--window-size=${options.width ?? 1280},${options.height ?? 2400}`,
      pathToFileURL(resolve(htmlPath)).href,
    ],
    options,
  );
  await stat(target); // Throws if Chromium exited without writing it.
  return target;
}
