// Builds the web console into packages/console/dist when it is missing or older than its sources
// (the console's own files and @patchday/core, which it imports). `npm start` runs this first (root
// prestart), and so does the console tests' harness, so `npm ci && npm start` is enough and nothing
// built is committed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const consoleDir = dirname(dirname(fileURLToPath(import.meta.url)));
const builtMarker = join(consoleDir, 'dist', 'index.html');
const sources = [
  join(consoleDir, 'index.html'),
  join(consoleDir, 'vite.config.ts'),
  join(consoleDir, 'package.json'),
  join(consoleDir, 'src'),
  join(consoleDir, 'public'),
  join(consoleDir, '..', 'core', 'src'),
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) if (!name.endsWith('.test.ts')) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Why the console needs building, or null when dist/ is up to date. */
export function staleReason(): string | null {
  if (!existsSync(builtMarker)) return 'not built yet';
  const built = statSync(builtMarker).mtimeMs;
  const changed = sources.find((path) => newestMtime(path) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/** Builds dist/ when it is stale; says whether it built. */
export async function ensureConsoleBuilt({ quiet = false }: { quiet?: boolean } = {}): Promise<boolean> {
  const reason = staleReason();
  if (!reason) return false;
  if (!quiet) console.log(`building the web console (${reason})…`);
  const { build } = await import('vite');
  await build({ root: consoleDir, configFile: join(consoleDir, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });
  if (!quiet) console.log('web console built into packages/console/dist');
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureConsoleBuilt({ quiet: process.argv.includes('--quiet') });
}
