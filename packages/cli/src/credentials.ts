import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Tokens from `patchday login`, per site URL, in a file only the user can read. */
function credentialsFile(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'patchday', 'credentials.json');
}

function readAll(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(credentialsFile(), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

export function storedToken(server: string): string | undefined {
  return readAll()[server];
}

export function storeToken(server: string, token: string): string {
  const file = credentialsFile();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify({ ...readAll(), [server]: token }, null, 2), { mode: 0o600 });
  return file;
}
