import { z } from 'zod';
import { Classification, Severity } from '../catalogue/vocabulary-schemas.ts';
import { UpdateFilter } from './updates.ts';

/**
 * §6.2 update groups: named sets of updates, the unit of deployment. A group has no size cap;
 * one request names at most MAX_UPDATE_IDS_PER_REQUEST updates by id (a filter selects any number).
 */
export const MAX_UPDATE_IDS_PER_REQUEST = 10_000;
export const MAX_GROUP_MEMBER_PAGE = 1000;

const uuid = (what: string) => z.string().uuid(`${what} is a UUID`).transform((s) => s.toLowerCase());

/** Update ids named in one request, without repeats. */
export const UpdateIdList = z
  .array(uuid('an update id'))
  .min(1, 'name at least one update')
  .max(MAX_UPDATE_IDS_PER_REQUEST, `at most ${MAX_UPDATE_IDS_PER_REQUEST} update ids per request (a filter selects any number)`)
  .transform((ids) => [...new Set(ids)]);

/** Printable text on one line: names show up in tables, audit entries and the CLI. */
export const oneLineName = (what: string) =>
  z
    .string()
    .min(1, `${what} name cannot be empty`)
    .max(100, `${what} name is at most 100 characters`)
    // eslint-disable-next-line no-control-regex
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), `${what} name cannot contain control characters`)
    .refine((s) => s.trim() === s, `${what} name cannot start or end with white space`);

const Description = z.string().max(1000, 'a description is at most 1000 characters');

export const CreateUpdateGroupRequest = z.strictObject({
  name: oneLineName('an update group'),
  description: Description.default(''),
  /** Updates to put in the group by id: all must exist and none may be expired. */
  updateIds: UpdateIdList.optional(),
  /** Every non-expired update that matches now (expired matches are skipped and counted). */
  filter: UpdateFilter.optional(),
});
export type CreateUpdateGroupRequest = z.output<typeof CreateUpdateGroupRequest>;

export const ChangeUpdateGroupRequest = z
  .strictObject({ name: oneLineName('an update group').optional(), description: Description.optional() })
  .refine((r) => r.name !== undefined || r.description !== undefined, 'give a name or a description to change');

/** Updates to add to (or remove from) a group: by id, by filter, or both. */
export const GroupUpdatesRequest = z
  .strictObject({ updateIds: UpdateIdList.optional(), filter: UpdateFilter.optional() })
  .refine((r) => r.updateIds !== undefined || r.filter !== undefined, 'give updateIds, a filter, or both');
export type GroupUpdatesRequest = z.output<typeof GroupUpdatesRequest>;

export const UpdateGroupCounts = z.object({
  updates: z.number().int(),
  /** Expired since they were added (by a later sync): they are never deployed, and flag the group's deployments. */
  expired: z.number().int(),
  superseded: z.number().int(),
  /** Updates whose files are in no deployment package (shown red): clients have nowhere to get them. */
  withoutContent: z.number().int(),
});
export type UpdateGroupCounts = z.infer<typeof UpdateGroupCounts>;

export const UpdateGroup = z.object({
  groupId: z.string(),
  name: z.string(),
  description: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  counts: UpdateGroupCounts,
  /** Deployments of this group; while there is one, the group cannot be deleted. */
  deployments: z.number().int(),
});
export type UpdateGroup = z.infer<typeof UpdateGroup>;

export const UpdateGroupMemberFlag = z.enum(['expired', 'superseded', 'withoutContent']);

export const UpdateGroupMembersQuery = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_GROUP_MEMBER_PAGE).default(50),
  /** Only the members with this flag. */
  flag: UpdateGroupMemberFlag.optional(),
});

export const UpdateGroupMember = z.object({
  updateId: z.string(),
  title: z.string(),
  product: z.string(),
  classification: Classification,
  severity: Severity,
  releaseDate: z.string(),
  superseded: z.boolean(),
  expired: z.boolean(),
  withoutContent: z.boolean(),
  /** Deployment packages that carry every file of the update. */
  packages: z.number().int(),
  addedAt: z.string(),
});
export type UpdateGroupMember = z.infer<typeof UpdateGroupMember>;

export const UpdateGroupDetail = UpdateGroup.extend({
  members: z.object({
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    flag: UpdateGroupMemberFlag.nullable(),
    /** By title, then id. */
    updates: z.array(UpdateGroupMember),
  }),
});
export type UpdateGroupDetail = z.infer<typeof UpdateGroupDetail>;

/** What a create, add or remove did. */
export const UpdateGroupChange = z.object({
  group: UpdateGroup,
  added: z.number().int(),
  /** Named or matched but already in the group. */
  alreadyMembers: z.number().int(),
  /** Matched by the filter but expired, so not added. */
  skippedExpired: z.number().int(),
  removed: z.number().int(),
  /** Named for removal but not in the group. */
  notMembers: z.number().int(),
});
export type UpdateGroupChange = z.infer<typeof UpdateGroupChange>;
