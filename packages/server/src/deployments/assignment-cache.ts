import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { DeploymentDefinition, type AssignedUpdate, type DeploymentAssignment } from '@patchday/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** One deployment's assignment as every member's policy carries it: serialised and gzipped once, with its digest. */
export interface CachedAssignment {
  deploymentId: string;
  /** The assignment's JSON, UTF-8. */
  body: Buffer;
  /** The same as one gzip member: a policy sent gzipped is its members one after the other. */
  gzipped: Buffer;
  /** sha256 of `body`: the policy's ETag covers assignments through their digests. */
  digest: string;
}

const gzipAsync = promisify(gzip);

/**
 * How many bytes of assignments a site keeps (a 10,000-update assignment is about 1.2 MB, plain and
 * gzipped): the least recently used go first. Every assignment a policy needs stays until it is sent,
 * whatever the bound.
 */
const MAX_BYTES = 256 * 1024 * 1024;

interface Entry {
  version: string;
  assignment: Promise<CachedAssignment>;
  /** Known once built. */
  bytes: number;
}

/** The assignments of one store, least recently used first. */
class AssignmentCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  get(deploymentId: string, version: string, build: () => Promise<CachedAssignment>): Promise<CachedAssignment> {
    const found = this.entries.get(deploymentId);
    this.remove(deploymentId);
    if (found && found.version === version) {
      this.add(deploymentId, found);
      return found.assignment;
    }
    // Concurrent polls of a changed deployment share one build; a failed build is not kept.
    const entry: Entry = { version, assignment: build(), bytes: 0 };
    this.add(deploymentId, entry);
    entry.assignment.then(
      (a) => {
        if (this.entries.get(deploymentId) !== entry) return;
        entry.bytes = a.body.length + a.gzipped.length;
        this.bytes += entry.bytes;
        this.evict();
      },
      () => this.entries.get(deploymentId) === entry && this.remove(deploymentId),
    );
    return entry.assignment;
  }

  private add(deploymentId: string, entry: Entry): void {
    this.entries.set(deploymentId, entry);
    this.bytes += entry.bytes;
  }

  private remove(deploymentId: string): void {
    const entry = this.entries.get(deploymentId);
    if (!entry) return;
    this.entries.delete(deploymentId);
    this.bytes -= entry.bytes;
  }

  private evict(): void {
    for (const [deploymentId] of this.entries) {
      if (this.bytes <= MAX_BYTES) return;
      this.remove(deploymentId);
    }
  }
}

// Per store, since tests run several sites in one process.
const caches = new WeakMap<Kysely<Database>, AssignmentCache>();

const DPKG = { kind: 'dpkg' } as const;

/**
 * §6.4 the assignments of every enabled deployment to a collection `clientId` is a member of, in
 * the order they were created. Each lists its group's updates as they are now (expired ones left
 * out: they cannot be deployed), so updates added to a group and new members of a collection get
 * them at their next policy poll, and nothing is stored per client.
 *
 * An assignment is built once and kept while its version holds: the deployment's `updated_at` (any
 * change of the deployment), its group's `updated_at` (bumped on every change of the group's members)
 * and member count, and the catalogue sequence (a sync that expires an update). The version is read
 * from the database on every poll, so several site processes sharing one database each stay right.
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
  if (!cache) caches.set(db, (cache = new AssignmentCache()));
  const out: Array<Promise<CachedAssignment>> = [];
  for (const row of rows) {
    const version = `${row.updated_at}|${row.group_updated_at}|${row.member_count}|${catalogueSeq}`;
    out.push(cache.get(row.deployment_id, version, () => buildAssignment(db, row.deployment_id, row.name, row.group_id, row.definition)));
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
  const body = Buffer.from(JSON.stringify(assignment));
  return { deploymentId, body, gzipped: await gzipAsync(body), digest: createHash('sha256').update(body).digest('base64url') };
}
