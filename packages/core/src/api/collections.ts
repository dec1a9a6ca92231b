import { z } from 'zod';
import { ApplicabilityRule } from '../rules/rule.ts';
import type { ClientSettings } from './clients.ts';

/**
 * Collections (§1): sets of clients, the unit deployments, maintenance windows and client settings
 * are assigned to. Modelled on Configuration Manager's device collections; the semantics are in
 * docs/collections.md and in `packages/core/src/collections/membership.ts`.
 */

/** The built-in "All Systems" collection: every active client, created by the store's migration. */
export const ALL_SYSTEMS_COLLECTION_ID = '00000000-0000-4000-8000-000000000001';
export const ALL_SYSTEMS_COLLECTION_NAME = 'All Systems';

export const MAX_COLLECTION_QUERY_RULES = 50;
export const MAX_COLLECTION_REFERENCES = 50;
/** Direct members added by one request; a collection may hold any number. */
export const MAX_DIRECT_MEMBERS_PER_REQUEST = 1000;
export const MAX_MEMBER_PAGE = 1000;

const uuid = (what: string) => z.string().uuid(`${what} is a UUID`);
const CollectionId = uuid('a collection id');

/** Printable text on one line: names show up in tables, audit entries and the CLI. */
export const CollectionName = z
  .string()
  .min(1, 'a collection name cannot be empty')
  .max(100, 'a collection name is at most 100 characters')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'a collection name cannot contain control characters')
  .refine((s) => s.trim() === s, 'a collection name cannot start or end with white space');

const Description = z.string().max(1000, 'a description is at most 1000 characters');

/** One query rule: an applicability rule (§4) over the client's stored inventory, plus `hostname`. */
export const CollectionQueryRule = z.strictObject({
  name: z.string().min(1, 'a query rule needs a name').max(100, 'a query rule name is at most 100 characters'),
  rule: ApplicabilityRule,
});
export type CollectionQueryRule = z.infer<typeof CollectionQueryRule>;

const QueryRules = z
  .array(CollectionQueryRule)
  .max(MAX_COLLECTION_QUERY_RULES, `a collection has at most ${MAX_COLLECTION_QUERY_RULES} query rules`)
  .refine((rules) => new Set(rules.map((r) => r.name)).size === rules.length, 'query rule names must be unique within a collection');

const References = (what: string) =>
  z
    .array(CollectionId)
    .max(MAX_COLLECTION_REFERENCES, `at most ${MAX_COLLECTION_REFERENCES} ${what} collections`)
    .refine((ids) => new Set(ids.map((i) => i.toLowerCase())).size === ids.length, `an ${what} collection is listed twice`);

const minutes = (min: number, max: number) => z.number().int('a whole number of minutes').min(min).max(max);

/**
 * The bounds of every §12 client setting a collection may assign. Keyed by ClientSettings'
 * own keys, so a setting added there fails to compile here until it has bounds.
 */
const settingBounds = {
  softwareUpdatesEnabled: z.boolean(),
  policyPollingMinutes: minutes(5, 1440),
  firstScanWithinMinutes: minutes(0, 1440),
  // §12: a scan schedule is never less than 1 day.
  scanScheduleDays: z.number().int().min(1, 'the scan schedule is never less than 1 day (§12)').max(365),
  scanRandomisationMinutes: minutes(0, 1440),
  deploymentReevaluationDays: z.number().int().min(1).max(365),
  metadataTtlHours: z.number().int().min(1).max(720),
  stateMessageBatchMinutes: minutes(1, 1440),
  scanRetryMinutes: minutes(1, 1440),
  // §12: a failed scan is retried at least 4 times before the agent tries the next update point.
  scanRetries: z.number().int().min(4, 'a failed scan is retried at least 4 times (§12)').max(100),
  cacheMaximumMb: z.number().int().min(100).max(1_048_576),
  cacheMinimumAgeMinutes: minutes(0, 43_200),
  // §12: the restart after a deadline may wait up to 14 days.
  restartCountdownMinutes: minutes(1, 14 * 1440),
  restartFinalCountdownMinutes: minutes(1, 1440),
  restartReminderMinutes: minutes(1, 14 * 1440),
} satisfies { [K in keyof ClientSettings]: z.ZodType<ClientSettings[K]> };

export const clientSettingNames = Object.keys(settingBounds) as Array<keyof ClientSettings>;

/** Client settings a collection assigns: any subset of §12's, each within its bounds. */
export const CollectionClientSettings = z.strictObject(settingBounds).partial();
export type CollectionClientSettings = z.infer<typeof CollectionClientSettings>;

/**
 * Which collection's settings win when a client is in several: the lowest number (1 is the
 * highest priority). Unique among the collections that carry settings.
 */
const SettingsPriority = z.number().int('a settings priority is a whole number').min(1, 'a settings priority is 1 or more').max(1_000_000);

/** `POST /api/v1/collections`, `patchday collections create`. */
export const CreateCollectionRequest = z
  .strictObject({
    name: CollectionName,
    description: Description.default(''),
    /** Members are always a subset of the limiting collection's (default All Systems). */
    limitingCollectionId: CollectionId.default(ALL_SYSTEMS_COLLECTION_ID),
    queryRules: QueryRules.default([]),
    includeCollectionIds: References('include').default([]),
    excludeCollectionIds: References('exclude').default([]),
    clientSettings: CollectionClientSettings.default({}),
    settingsPriority: SettingsPriority.nullable().default(null),
  })
  .superRefine((c, ctx) => checkSettingsAndReferences(c, ctx));
export type CreateCollectionRequest = z.input<typeof CreateCollectionRequest>;

/**
 * `PATCH /api/v1/collections/:collectionId`: each field given replaces the stored one (a list or
 * `clientSettings` as a whole); fields left out stay as they are.
 */
export const UpdateCollectionRequest = z
  .strictObject({
    name: CollectionName.optional(),
    description: Description.optional(),
    limitingCollectionId: CollectionId.optional(),
    queryRules: QueryRules.optional(),
    includeCollectionIds: References('include').optional(),
    excludeCollectionIds: References('exclude').optional(),
    clientSettings: CollectionClientSettings.optional(),
    settingsPriority: SettingsPriority.nullable().optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'an update names at least one field to change')
  .superRefine((c, ctx) => checkSettingsAndReferences(c, ctx));
export type UpdateCollectionRequest = z.input<typeof UpdateCollectionRequest>;

function checkSettingsAndReferences(
  c: { includeCollectionIds?: string[]; excludeCollectionIds?: string[]; clientSettings?: CollectionClientSettings; settingsPriority?: number | null },
  ctx: z.RefinementCtx,
): void {
  const excluded = new Set((c.excludeCollectionIds ?? []).map((i) => i.toLowerCase()));
  for (const id of c.includeCollectionIds ?? []) {
    if (excluded.has(id.toLowerCase())) ctx.addIssue({ code: 'custom', message: `collection ${id} is both included and excluded`, path: ['excludeCollectionIds'] });
  }
  const hasSettings = c.clientSettings !== undefined && Object.keys(c.clientSettings).length > 0;
  if (hasSettings && c.settingsPriority === null) {
    ctx.addIssue({ code: 'custom', message: 'client settings need a settingsPriority (1 is the highest) to decide between collections', path: ['settingsPriority'] });
  }
}

/** Members of a collection, or its direct-membership rules (`?direct=true`). */
export const CollectionMembersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_MEMBER_PAGE).default(100),
  offset: z.coerce.number().int().min(0).max(100_000_000).default(0),
  direct: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
});

/** `POST /api/v1/collections/:collectionId/members`: direct members, by client id. */
export const AddCollectionMembersRequest = z.strictObject({
  clientIds: z
    .array(uuid('a client id'))
    .min(1, 'name at least one client')
    .max(MAX_DIRECT_MEMBERS_PER_REQUEST, `at most ${MAX_DIRECT_MEMBERS_PER_REQUEST} clients per request`),
});

export const Collection = z.object({
  collectionId: z.string(),
  name: z.string(),
  description: z.string(),
  /** All Systems: cannot be deleted, renamed or given rules. */
  builtIn: z.boolean(),
  /** Null only for All Systems. */
  limitingCollectionId: z.string().nullable(),
  queryRules: z.array(CollectionQueryRule),
  includeCollectionIds: z.array(z.string()),
  excludeCollectionIds: z.array(z.string()),
  clientSettings: CollectionClientSettings,
  settingsPriority: z.number().int().nullable(),
  memberCount: z.number().int(),
  directMemberCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Collection = z.infer<typeof Collection>;

export const CollectionMember = z.object({
  clientId: z.string(),
  name: z.string(),
  status: z.enum(['active', 'pending']),
  /** A direct-membership rule names this client. */
  direct: z.boolean(),
  /** The client is a member now (a direct rule may name a pending, excluded or out-of-limit client). */
  member: z.boolean(),
});
export type CollectionMember = z.infer<typeof CollectionMember>;

export const CollectionMembers = z.object({
  collectionId: z.string(),
  /** What is listed: the members, or the direct-membership rules. */
  listing: z.enum(['members', 'direct']),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  members: z.array(CollectionMember),
});
export type CollectionMembers = z.infer<typeof CollectionMembers>;

/** `GET /api/v1/clients/:clientId/collections`. */
export const ClientCollections = z.object({
  clientId: z.string(),
  name: z.string(),
  collections: z.array(z.object({ collectionId: z.string(), name: z.string(), direct: z.boolean(), settingsPriority: z.number().int().nullable() })),
});
export type ClientCollections = z.infer<typeof ClientCollections>;

/** Where one effective setting comes from: the §12 default, or the collection that won. */
export const SettingSource = z.object({
  source: z.enum(['default', 'collection']),
  collectionId: z.string().nullable(),
  collectionName: z.string().nullable(),
  settingsPriority: z.number().int().nullable(),
});
export type SettingSource = z.infer<typeof SettingSource>;

/** `GET /api/v1/clients/:clientId/settings`: the settings in the client's policy, and why. */
export const EffectiveClientSettings = z.object({
  clientId: z.string(),
  name: z.string(),
  clientSettings: z.record(z.string(), z.union([z.boolean(), z.number()])),
  settings: z.array(SettingSource.extend({ setting: z.string(), value: z.union([z.boolean(), z.number()]) })),
});
export type EffectiveClientSettings = z.infer<typeof EffectiveClientSettings>;
