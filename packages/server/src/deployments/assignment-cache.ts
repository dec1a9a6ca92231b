import { createHash } from 'node:crypto';
import { DeploymentDefinition, type AssignedUpdate, type DeploymentAssignment } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** One deployment's assignment as every member's policy carries it: serialised once, with its digest. */
export interface CachedAssignment {
  deploymentId: string;
  json: string;
  /** sha256 of `json`: the policy's ETag covers assignments through their digests. */
  digest: string;
}

/** Assignments kept per store; a 10,000-update assignment is about 1 MB of JSON. */
const MAX_ENTRIES = 256;

interface Entry {
  version: string;
  assignment: Promise<CachedAssignment>;
}

// Per store, since tests run several sites in one process.
const caches = new WeakMap<Kysely<Database>, Map<string, Entry>>();

const DPKG = { kind: 'dpkg' } as const;

/**
 * §6.4 the assignments of every enabled deployment to a collection `clientId` is a member of, in
 * the order they were created. Each lists its group's updates as they are now (expired ones left
 * out: they cannot be deployed), so updates added to a group and new members of a collection get
 * them at their next policy poll, and nothing is stored per client.
 *
 * An assignment is built once and kept while its version holds: the deployment's `updated_at` (any
 * change of the deployment), its group's `updated_at` (bumped on every change of the group's members)
 * and member count, and the catalogue sequence (a sync that expires an update). The version is read from the database
 * on every poll, so several site processes sharing one database each stay right.
 */
export async function assignmentsOfClient(db: Kysely<Database>, clientId: string, catalogueSeq: string): Promise<CachedAssignment[]> {
  const rows = await db
    .selectFrom('collection_members as m')
    .innerJoin('deployments as d', 'd.collection_id', 'm.collection_id')
    .innerJoin('update_groups as g', 'g.group_id', 'd.group_id')
    .select(['d.deployment_id', 'd.name', 'd.group_id', 'd.definition', 'd.updated_at', 'd.created_at', 'g.updated_at as group_updated_at'])
    // An index-only count: with the group's updated_at it catches member changes made within one millisecond.
    .select((eb) => eb.selectFrom('update_group_members as gm').select((c) => c.fn.countAll<number | string>().as('n')).whereRef('gm.group_id', '=', 'd.group_id').as('member_count'))
    .where('m.client_id', '=', clientId)
    .where('d.enabled', '=', 1)
    .orderBy('d.created_at')
    .orderBy('d.deployment_id')
    .execute();
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const out: Array<Promise<CachedAssignment>> = [];
  for (const row of rows) {
    const version = `${row.updated_at}|${row.group_updated_at}|${row.member_count}|${catalogueSeq}`;
    let entry = cache.get(row.deployment_id);
    if (!entry || entry.version !== version) {
      // Concurrent polls of a changed deployment share one build.
      entry = { version, assignment: buildAssignment(db, row.deployment_id, row.name, row.group_id, row.definition) };
      cache.delete(row.deployment_id);
      cache.set(row.deployment_id, entry);
      const failed = entry;
      entry.assignment.catch(() => cache.get(row.deployment_id) === failed && cache.delete(row.deployment_id));
      if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    } else {
      // Most recently used last: the first key is the one to evict.
      cache.delete(row.deployment_id);
      cache.set(row.deployment_id, entry);
    }
    out.push(entry.assignment);
  }
  return Promise.all(out);
}

async function buildAssignment(db: Kysely<Database>, deploymentId: string, name: string, groupId: string, definitionJson: string): Promise<CachedAssignment> {
  const d = DeploymentDefinition.parse(JSON.parse(definitionJson));
  const members = await db
    .selectFrom('update_group_members as m')
    .innerJoin('updates as u', 'u.update_id', 'm.update_id')
    .select('m.update_id')
    .where('m.group_id', '=', groupId)
    .where('u.expired', '=', 0)
    .orderBy('m.update_id')
    .execute();
  const updates: AssignedUpdate[] = members.map((m) => ({ updateId: m.update_id, maxRunMinutes: d.updateMaxRunMinutes[m.update_id] ?? d.maxRunMinutes, handler: DPKG }));
  const assignment: DeploymentAssignment = {
    deploymentId,
    name,
    purpose: d.purpose,
    timeBasis: d.timeBasis,
    availableAt: d.availableAt,
    deadlineAt: d.deadlineAt,
    restartSuppression: d.restartSuppression,
    installOutsideWindows: d.installOutsideWindows,
    restartOutsideWindows: d.restartOutsideWindows,
    reportOnly: d.reportOnly,
    updates,
  };
  const json = JSON.stringify(assignment);
  return { deploymentId, json, digest: createHash('sha256').update(json).digest('base64url') };
}
