import type { SyncRun } from '@patchday/core';

/** `GET /api/v1/sync/status` (packages/server/src/api/v1/sync-routes.ts; no core schema of its own). */
export interface SyncStatus {
  lastRun: SyncRun | null;
  lastSuccessAt: string | null;
  catalogueSeq: number;
  schedule: { enabled: boolean; cron: string; timezone: string; nextRunAt: string | null; retryAt: string | null; runningRunId: number | null };
  suites: Array<{ upstream: string; suite: string; releaseDate: string | null; validUntil: string | null; syncedAt: string | null }>;
}
