import { lstatSync, mkdirSync } from 'node:fs';
import { constants, enableCompileCache } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Node's compile cache keeps the V8 code of each module compiled after it is enabled (the SDK's
// few hundred and the application's own), so the next start of the process skips compiling
// them (≈40 ms CPU of the SDK's import, measured). It lives in the OS temp dir, outside the
// application: one file per module and Node version, rewritten when the module changes. Node
// itself reads NODE_DISABLE_COMPILE_CACHE=1 (off) and NODE_COMPILE_CACHE (another directory).
// The temp dir is shared: the directory is the user's own (by uid), and used only if it is a
// real directory this user owns that no one else can write to, since whoever can write there
// chooses the code the process runs.
const CACHE_DIR = join(tmpdir(), `hopscope-compile-cache-${process.getuid?.() ?? 'user'}`);
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
// Long after startup, so that the size check never competes with it.
const PRUNE_AFTER_MS = 60_000;

/** Enables the compile cache for what loads next; never throws. */
export function enableModuleCompileCache(): void {
  try {
    // Node reads these itself: off, or already on in the directory the user chose.
    if (process.env['NODE_DISABLE_COMPILE_CACHE'] || process.env['NODE_COMPILE_CACHE']) return;
    if (!isPrivateDirectory(CACHE_DIR)) return;
    if (enableCompileCache(CACHE_DIR).status === constants.compileCacheStatus.ENABLED) {
      setTimeout(() => void pruneCompileCache(CACHE_DIR, MAX_CACHE_BYTES), PRUNE_AFTER_MS).unref();
    }
  } catch {
    // No cache: every start compiles, as without the package.
  }
}

/** Creates `directory` (mode 700) if missing; true if it is this user's and only writable by them. */
export function isPrivateDirectory(directory: string): boolean {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const found = lstatSync(directory);
  const uid = process.getuid?.();
  return found.isDirectory() && (uid === undefined || found.uid === uid) && (found.mode & 0o022) === 0;
}

/**
 * Keeps the cache bounded: entries for old Node versions or moved applications are never reused,
 * so past `maxBytes` the whole directory goes and the next start fills it again.
 */
export async function pruneCompileCache(directory: string, maxBytes: number): Promise<void> {
  try {
    const { rm } = await import('node:fs/promises');
    if ((await sizeOf(directory)) > maxBytes) await rm(directory, { recursive: true, force: true });
  } catch {
    // Another process removed it first, or it is not ours to remove: leave it.
  }
}

async function sizeOf(path: string): Promise<number> {
  const { readdir, stat } = await import('node:fs/promises');
  const entries = await readdir(path, { withFileTypes: true });
  let bytes = 0;
  for (const entry of entries) {
    const child = join(path, entry.name);
    bytes += entry.isDirectory() ? await sizeOf(child) : (await stat(child)).size;
  }
  return bytes;
}
