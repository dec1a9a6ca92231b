import { z } from 'zod';
import { DetectionState } from '../compliance/applicability.ts';
import { Classification, Severity } from '../catalogue/vocabulary-schemas.ts';

/**
 * Compliance reports (§4, §9). Every state says where it comes from:
 * - `reported`: the client's last completed scan covers the update (same product, scan anchor at or
 *   after the update's last change): its topic-500 state, or Not Required when the scan reported none;
 * - `estimated`: otherwise, the site's own evaluation of the update's rules on the client's last inventory;
 * - `none`: neither — Unknown.
 * docs/compliance.md has the details.
 */
export const complianceSources = ['reported', 'estimated', 'none'] as const;
export const ComplianceSource = z.enum(complianceSources);
export type ComplianceSource = z.infer<typeof ComplianceSource>;

/** Counts per §4 state. */
export const StateCounts = z.strictObject({
  Required: z.number().int(),
  Installed: z.number().int(),
  'Not Required': z.number().int(),
  Unknown: z.number().int(),
});
export type StateCounts = z.infer<typeof StateCounts>;

/** Counts per state, split by where the states come from. */
export const SourceCounts = z.strictObject({ reported: StateCounts, estimated: StateCounts, none: StateCounts });
export type SourceCounts = z.infer<typeof SourceCounts>;

const uuid = (what: string) => z.string().uuid(`${what} is a UUID`);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** §5 topic 501 scan states by id, as the reports name them. */
export const scanStateNames: Readonly<Record<number, string>> = {
  1: 'waiting for content',
  2: 'running',
  3: 'complete',
  4: 'pending retry',
  5: 'failed',
  6: 'completed with errors',
};

// ---- per client ------------------------------------------------------------------------------

/** `GET /api/v1/clients/:clientId/compliance?include=required|all`. */
export const ClientComplianceQuery = z.object({ include: z.enum(['required', 'all']).default('required') }).strict();
export type ClientComplianceQuery = z.output<typeof ClientComplianceQuery>;

export const ClientLastScan = z.object({
  /** Agent time of the last scan progress message, whatever its state. */
  at: z.string().nullable(),
  stateId: z.number().int().nullable(),
  state: z.string().nullable(),
  error: z.string().nullable(),
  /** The last completed scan: when, for which product, up to which catalogue sequence. */
  completedAt: z.string().nullable(),
  product: z.string().nullable(),
  anchor: z.number().int().nullable(),
});
export type ClientLastScan = z.infer<typeof ClientLastScan>;

/** What every compliance row says about the update itself. */
const UpdateHeading = {
  updateId: z.string(),
  title: z.string(),
  product: z.string(),
  classification: Classification,
  severity: Severity,
  superseded: z.boolean(),
};

export const ClientUpdateCompliance = z.object({
  ...UpdateHeading,
  state: DetectionState,
  source: ComplianceSource,
  /** For reported states: when the agent reported the state (null when implied by a completed scan). */
  reportedAt: z.string().nullable(),
  /** For Required updates, from the last inventory: the installed binaries it would upgrade. */
  upgrades: z.array(z.object({ package: z.string(), architecture: z.string(), installed: z.string(), target: z.string() })),
});
export type ClientUpdateCompliance = z.infer<typeof ClientUpdateCompliance>;

/** `GET /api/v1/clients/:clientId/compliance`: every update of the client's product and its state (§9). */
export const ClientCompliance = z.object({
  clientId: z.string(),
  name: z.string(),
  status: z.string(),
  /** The products whose updates are listed: the inventory's and the last completed scan's. */
  product: z.string().nullable(),
  inventoryAt: z.string().nullable(),
  lastPolicyAt: z.string().nullable(),
  lastStateMessageAt: z.string().nullable(),
  lastScan: ClientLastScan,
  /** Over every update of the product, whatever `include` lists. */
  counts: StateCounts,
  sources: z.strictObject({ reported: z.number().int(), estimated: z.number().int(), none: z.number().int() }),
  updates: z.array(ClientUpdateCompliance),
});
export type ClientCompliance = z.infer<typeof ClientCompliance>;

// ---- per update ------------------------------------------------------------------------------

export const MAX_COMPLIANCE_PAGE = 1000;

/** `GET /api/v1/updates/:updateId/compliance`. */
export const UpdateComplianceQuery = z
  .object({
    collectionId: uuid('a collection id').optional(),
    state: DetectionState.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_COMPLIANCE_PAGE).default(100),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();
export type UpdateComplianceQuery = z.output<typeof UpdateComplianceQuery>;

export const UpdateComplianceClient = z.object({ clientId: z.string(), name: z.string(), state: DetectionState, source: ComplianceSource });
export type UpdateComplianceClient = z.infer<typeof UpdateComplianceClient>;

/** One update across the site's active clients or one collection's (§9). */
export const UpdateCompliance = z.object({
  ...UpdateHeading,
  collectionId: z.string().nullable(),
  /** Active clients counted (in the collection, when one is given). */
  clientsCounted: z.number().int(),
  counts: StateCounts,
  /** (Installed + Not Required) / clients counted, in percent with one decimal; null with no clients. */
  percentCompliant: z.number().nullable(),
  bySource: SourceCounts,
  /** The clients, by name, `state` filtered and paged. */
  page: z.object({ state: DetectionState.nullable(), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }),
  clients: z.array(UpdateComplianceClient),
});
export type UpdateCompliance = z.infer<typeof UpdateCompliance>;

// ---- fleet summary ---------------------------------------------------------------------------

/** `GET /api/v1/compliance/summary`. */
export const ComplianceSummaryQuery = z
  .object({
    collectionId: uuid('a collection id').optional(),
    product: z.string().min(1).max(100).optional(),
    /** false: only updates in force (not superseded). */
    superseded: flag.optional(),
    /** true: summarise now and wait for it, even when a summary of a large fleet is being made in the background. */
    fresh: flag.optional(),
  })
  .strict();
export type ComplianceSummaryQuery = z.output<typeof ComplianceSummaryQuery>;

export const ComplianceGroup = z.object({
  /** Updates in the group. */
  updates: z.number().int(),
  /** Updates Required by at least one client. */
  updatesRequired: z.number().int(),
  /** client × update pairs per state. */
  counts: StateCounts,
  percentCompliant: z.number().nullable(),
});
export type ComplianceGroup = z.infer<typeof ComplianceGroup>;

export const MOST_REQUIRED_UPDATES = 20;

export const ComplianceSummary = z.object({
  /** Site time the counts were made at. */
  summarizedAt: z.string(),
  /**
   * True when clients reported, a sync ran or an administrator changed something since: the counts
   * are those of `summarizedAt`, and a new summary is being made (a large fleet's takes seconds).
   */
  stale: z.boolean(),
  collectionId: z.string().nullable(),
  product: z.string().nullable(),
  superseded: z.boolean().nullable(),
  /** Active clients counted (in the collection, when one is given). */
  clientsCounted: z.number().int(),
  /** Updates counted (the catalogue, or those of `product`, in force or not as asked). */
  updatesCounted: z.number().int(),
  overall: ComplianceGroup,
  /** client × update pairs per source and state. */
  bySource: SourceCounts,
  byClassification: z.array(ComplianceGroup.extend({ classification: Classification })),
  bySeverity: z.array(ComplianceGroup.extend({ severity: Severity })),
  /** The updates the most clients require (at most 20, only those required by someone). */
  mostRequired: z.array(
    z.object({
      updateId: z.string(),
      title: z.string(),
      product: z.string(),
      classification: Classification,
      severity: Severity,
      superseded: z.boolean(),
      required: z.number().int(),
      percentCompliant: z.number().nullable(),
    }),
  ),
});
export type ComplianceSummary = z.infer<typeof ComplianceSummary>;
