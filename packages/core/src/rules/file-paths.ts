/**
 * Every path a `file` condition of these rules asks about: what an agent must examine before
 * it evaluates them. Walks without recursion; rules are bounded, but may not be validated.
 */
export function filePathsOfRules(rules: Iterable<unknown>, limit = 10_000): string[] {
  const paths = new Set<string>();
  const stack: unknown[] = [...rules];
  while (stack.length > 0 && paths.size < limit) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    const r = node as Record<string, unknown>;
    const file = r.file as { path?: unknown } | undefined;
    if (file && typeof file.path === 'string' && file.path.startsWith('/')) paths.add(file.path);
    for (const key of ['and', 'or', 'not', 'prerequisites', 'isInstallable', 'isInstalled']) if (Object.hasOwn(r, key)) stack.push(r[key]);
  }
  return [...paths].sort();
}
