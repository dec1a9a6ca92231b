/**
 * A sync refusal whose message names the suite and the reason; it is what status message 6703
 * and `patchday sync run` show the administrator.
 */
export class SyncError extends Error {
  constructor(
    readonly upstream: string,
    readonly suite: string | null,
    reason: string,
  ) {
    super(suite ? `${upstream}/${suite}: ${reason}` : `${upstream}: ${reason}`);
    this.name = 'SyncError';
  }
}
