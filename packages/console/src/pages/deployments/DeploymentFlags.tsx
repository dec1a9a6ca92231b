import type { Deployment } from '@patchday/core';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * §6.1 / §12 what must catch the eye, in red: updates a later sync expired (no longer offered to
 * clients) and updates whose files are in no deployment package (clients cannot install them).
 */
export function DeploymentFlags({ flags }: { flags: Deployment['flags'] }) {
  const { expiredUpdates, updatesWithoutContent } = flags;
  if (expiredUpdates.count === 0 && updatesWithoutContent.count === 0) return null;
  const titles = (f: Deployment['flags']['expiredUpdates']) => f.updates.map((u) => u.title).join('\n') + (f.count > f.updates.length ? `\n…and ${f.count - f.updates.length} more` : '');
  return (
    <span className="flags">
      {expiredUpdates.count > 0 && (
        <span className="tag tag-red" title={`Expired, no longer offered to clients:\n${titles(expiredUpdates)}`}>
          {plural(expiredUpdates.count, 'expired update', 'expired updates')}
        </span>
      )}
      {updatesWithoutContent.count > 0 && (
        <span className="tag tag-red" title={`Files in no deployment package:\n${titles(updatesWithoutContent)}`}>
          {plural(updatesWithoutContent.count, 'update', 'updates')} without content
        </span>
      )}
    </span>
  );
}
