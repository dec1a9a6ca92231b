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

interface Built {
  assignment: CachedAssignment;
  /** The group's members (expired ones included) when it was built. */
  memberCount: number;
}

interface Entry {
  version: string;
  /** Site time (ms) when the build read the group (or since when it is known to match it). */
  builtAt: number;
  built: Promise<Built>;
  /** Known once built. */
  bytes: number;
}

/** The assignments of one store, least recently used first. */
class AssignmentCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  peek(deploymentId: string): Entry | undefined {
    return this.entries.get(deploymentId);
  }

  /** The entry of `version`, built now unless a kept one is still good. */
  get(deploymentId: string, version: string, keep: boolean, build: () => Omit<Entry, 'bytes'>): Promise<Built> {
    const found = this.entries.get(deploymentId);
    this.remove(deploymentId);
    if (found && found.version === version && keep) {
      this.add(deploymentId, found);
      return found.built;
    }
    // Concurrent polls of a changed deployment share one build; a failed build is not kept.
    const entry: Entry = { ...build(), bytes: 0 };
    this.add(deploymentId, entry);
    entry.built.then(
      ({ assignment }) => {
        if (this.entries.get(deploymentId) !== entry) return;
        entry.bytes = assignment.body.length + assignment.gzipped.length;
        this.bytes += entry.bytes;
        this.evict();
      },
      () => this.entries.get(deploymentId) === entry && this.remove(deploymentId),
    );
    return entry.built;
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
 * change of the deployment), its group's `updated_at` (set to the site time of every change of the
 * group's members) and the catalogue sequence (a sync that expires an update). The version is read
 * from the database on every poll, so several site processes sharing one database each stay right.
 * One case needs more: an assignment built in the very millisecond of the group's last change would
 * not see another change made in that millisecond (same `updated_at`), so such an assignment is also
 * checked against the group's member count at every poll.
 */
export async function assignmentsOfClient(db: Kysely<Database>, clientId: string, catalogueSeq: string, now: Date): Promise<CachedAssignment[]> {
  const rows = await db
    .selectFrom('collection_members as m')
    .innerJoin('deployments as d', 'd.collection_id', 'm.collection_id')
    .innerJoin('update_groups as g', 'g.group_id', 'd.group_id')
    .select(['d.deployment_id', 'd.name', 'd.group_id', 'd.definition', 'd.updated_at', 'd.created_at', 'g.updated_at as group_updated_at'])
    .where('m.client_id', '=', clientId)
    .where('d.enabled', '=', 1)
    .orderBy('d.created_at')
    .orderBy('d.deployment_id')
    .execute();
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new AssignmentCache()));
  const out: Array<Promise<Built>> = [];
  for (const row of rows) {
    const version = `${row.updated_at}|${row.group_updated_at}|${catalogueSeq}`;
    const kept = cache.peek(row.deployment_id);
    let keep = true;
    const groupChangedAt = Date.parse(row.group_updated_at);
    if (kept && kept.version === version && kept.builtAt <= groupChangedAt) {
      keep = (await kept.built.then((b) => b.memberCount, () => -1)) === (await memberCount(db, row.group_id));
      // Once the site's clock is past that millisecond, no change can share its updated_at any more.
      if (keep && now.getTime() > groupChangedAt) kept.builtAt = now.getTime();
    }
    const builtAt = now.getTime();
    out.push(cache.get(row.deployment_id, version, keep, () => ({ version, builtAt, built: buildAssignment(db, row.deployment_id, row.name, row.group_id, row.definition) })));
  }
  return (await Promise.all(out)).map((b) => b.assignment);
}

async function memberCount(db: Kysely<Database>, groupId: string): Promise<number> {
  const row = await db.selectFrom('update_group_members').select((c) => c.fn.countAll<number | string>().as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function buildAssignment(db: Kysely<Database>, deploymentId: string, name: string, groupId: string, definitionJson: string): Promise<Built> {
  const d = DeploymentDefinition.parse(JSON.parse(definitionJson));
  const members = await db
    .selectFrom('update_group_members as m')
    .innerJoin('updates as u', 'u.update_id', 'm.update_id')
    .select(['m.update_id', 'u.expired'])
    .where('m.group_id', '=', groupId)
    .orderBy('m.update_id')
    .execute();
  const updates: AssignedUpdate[] = members
    .filter((m) => Number(m.expired) === 0)
    .map((m) => ({ updateId: m.update_id, maxRunMinutes: d.updateMaxRunMinutes[m.update_id] ?? d.maxRunMinutes, handler: DPKG }));
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
  const gzipped = await gzipAsync(body);
  return { assignment: { deploymentId, body, gzipped, digest: createHash('sha256').update(body).digest('base64url') }, memberCount: members.length };
}
