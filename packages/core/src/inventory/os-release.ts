import type { InventoryOs } from './inventory.ts';

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/**
 * Reads `/etc/os-release` (os-release(5)): `KEY=value` lines, values optionally in double
 * quotes (with `\"`, `\\`, `` \` `` and `\$` escapes) or single quotes (literal). Comments
 * and blank lines are skipped. A line that is not a valid assignment is skipped too, as
 * systemd does: one odd line must not cost the machine its whole identity.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const assignment = ASSIGNMENT.exec(line);
    if (assignment === null) continue;
    const [, key, raw] = assignment;
    const value = unquote(raw);
    if (value === undefined || key === '__proto__') continue;
    fields[key] = value;
  }
  return fields;
}

function unquote(raw: string): string | undefined {
  if (raw.startsWith("'")) {
    const end = raw.indexOf("'", 1);
    return end === raw.length - 1 ? raw.slice(1, end) : undefined;
  }
  if (raw.startsWith('"')) {
    let value = '';
    for (let i = 1; i < raw.length; i++) {
      const c = raw[i];
      if (c === '"') return i === raw.length - 1 ? value : undefined;
      if (c === '\\' && i + 1 < raw.length && '"\\`$'.includes(raw[i + 1])) {
        value += raw[++i];
      } else {
        value += c;
      }
    }
    return undefined;
  }
  // Unquoted values may not hold blanks or shell metacharacters.
  return /^[^\s"'`$\\]*$/.test(raw) ? raw : undefined;
}

/** The inventory's os from os-release fields and the dpkg architecture (which os-release lacks). */
export function inventoryOsOf(osRelease: Readonly<Record<string, string>>, architecture: string | null): InventoryOs {
  return {
    family: osRelease.ID || 'linux',
    versionId: osRelease.VERSION_ID || null,
    codename: osRelease.VERSION_CODENAME || null,
    architecture,
  };
}
