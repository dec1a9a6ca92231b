import { randomUUID } from 'node:crypto';
import {
  MaintenanceWindow,
  MaintenanceWindowChange,
  UpcomingWindowsQuery,
  defaultMaintenanceWindow,
  type CollectionMaintenanceWindow,
  type MaintenanceWindowList,
  type UpcomingWindows,
} from '@patchday/core';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordAudit } from '../../audit/audit-log.ts';
import { definitionOf, toCollectionWindow, upcomingWindows, windowOf } from '../../deployments/maintenance-window-rows.ts';
import { principalOf, type SiteContext } from '../../http/context.ts';
import { HttpError, notFound, parseInput } from '../../http/http-error.ts';
import type { Database } from '../../store/schema.ts';

const id = (what: string) => z.string().uuid(`${what} is a UUID`).transform((s) => s.toLowerCase());
const CollectionIdParam = z.strictObject({ collectionId: id('a collection id') });
const WindowParam = z.strictObject({ collectionId: id('a collection id'), windowId: id('a window id') });
const ClientIdParam = z.strictObject({ clientId: id('a client id') });

/**
 * §6.8 collections' maintenance windows (`/api/v1/collections/:collectionId/maintenance-windows`)
 * and the service windows that follow from them for a collection or a client (`…/next`).
 */
export function registerWindowRoutes(app: FastifyInstance, site: SiteContext): void {
  const { db } = site.store;

  async function collectionOr404(trx: Kysely<Database>, collectionId: string): Promise<{ collection_id: string; name: string }> {
    const row = await trx.selectFrom('collections').select(['collection_id', 'name']).where('collection_id', '=', collectionId).executeTakeFirst();
    if (!row) throw notFound(`collection ${collectionId}`);
    return row;
  }

  async function windowsOf(trx: Kysely<Database>, collectionId: string): Promise<CollectionMaintenanceWindow[]> {
    const rows = await trx.selectFrom('maintenance_windows').selectAll().where('collection_id', '=', collectionId).orderBy('created_at').orderBy('window_id').execute();
    return rows.map(toCollectionWindow);
  }

  /** A whole window from a change over a base, validated as one (the duration against the start, the zone…). */
  function merged(base: MaintenanceWindow, change: z.infer<typeof MaintenanceWindowChange>): MaintenanceWindow {
    const given = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
    return parseInput(MaintenanceWindow, { ...base, ...given }, 'maintenance window');
  }

  function refuseNameClash(others: readonly CollectionMaintenanceWindow[], name: string, collectionName: string): void {
    const clash = others.find((w) => w.name.toLowerCase() === name.toLowerCase());
    if (clash) throw new HttpError(409, `collection ${JSON.stringify(collectionName)} already has a maintenance window named ${JSON.stringify(clash.name)} (${clash.windowId})`);
  }

  app.get('/api/v1/collections/:collectionId/maintenance-windows', { config: { permission: 'read' } }, async (request): Promise<MaintenanceWindowList> => {
    const { collectionId } = parseInput(CollectionIdParam, request.params, 'path');
    const collection = await collectionOr404(db, collectionId);
    return { collectionId, collectionName: collection.name, windows: await windowsOf(db, collectionId) };
  });

  app.post('/api/v1/collections/:collectionId/maintenance-windows', { config: { permission: 'manage' } }, async (request, reply) => {
    const actor = principalOf(request);
    const { collectionId } = parseInput(CollectionIdParam, request.params, 'path');
    const change = parseInput(MaintenanceWindowChange, request.body, 'maintenance window');
    const now = site.clock.now();
    const created = await db.transaction().execute(async (trx) => {
      const collection = await collectionOr404(trx, collectionId);
      const others = await windowsOf(trx, collectionId);
      // An unnamed window gets the default name, numbered when the collection has one already.
      let name = change.name ?? defaultMaintenanceWindow.name;
      for (let n = 2; change.name === undefined && others.some((w) => w.name.toLowerCase() === name.toLowerCase()); n++) name = `${defaultMaintenanceWindow.name} ${n}`;
      const window = merged(defaultMaintenanceWindow, { ...change, name });
      refuseNameClash(others, window.name, collection.name);
      const row = { window_id: randomUUID(), collection_id: collectionId, definition: definitionOf(window), created_at: now.toISOString(), updated_at: now.toISOString() };
      await trx.insertInto('maintenance_windows').values(row).execute();
      await recordAudit(trx, { actor: actor.username, action: 'maintenance-window.add', target: row.window_id, details: { collectionId, collectionName: collection.name, ...window } }, now);
      return toCollectionWindow(row);
    });
    return reply.status(201).send(created);
  });

  app.patch('/api/v1/collections/:collectionId/maintenance-windows/:windowId', { config: { permission: 'manage' } }, async (request): Promise<CollectionMaintenanceWindow> => {
    const actor = principalOf(request);
    const { collectionId, windowId } = parseInput(WindowParam, request.params, 'path');
    const change = parseInput(MaintenanceWindowChange, request.body, 'maintenance window');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const collection = await collectionOr404(trx, collectionId);
      const all = await windowsOf(trx, collectionId);
      const current = all.find((w) => w.windowId === windowId);
      if (!current) throw notFound(`maintenance window ${windowId} of collection ${JSON.stringify(collection.name)}`);
      const window = merged(windowOf(current), change);
      refuseNameClash(all.filter((w) => w.windowId !== windowId), window.name, collection.name);
      const updatedAt = now.toISOString();
      await trx.updateTable('maintenance_windows').set({ definition: definitionOf(window), updated_at: updatedAt }).where('window_id', '=', windowId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'maintenance-window.update', target: windowId, details: { collectionId, collectionName: collection.name, changed: Object.keys(change), ...window } }, now);
      return { ...current, ...window, updatedAt };
    });
  });

  app.delete('/api/v1/collections/:collectionId/maintenance-windows/:windowId', { config: { permission: 'manage' } }, async (request) => {
    const actor = principalOf(request);
    const { collectionId, windowId } = parseInput(WindowParam, request.params, 'path');
    const now = site.clock.now();
    return db.transaction().execute(async (trx) => {
      const collection = await collectionOr404(trx, collectionId);
      const current = (await windowsOf(trx, collectionId)).find((w) => w.windowId === windowId);
      if (!current) throw notFound(`maintenance window ${windowId} of collection ${JSON.stringify(collection.name)}`);
      await trx.deleteFrom('maintenance_windows').where('window_id', '=', windowId).execute();
      await recordAudit(trx, { actor: actor.username, action: 'maintenance-window.delete', target: windowId, details: { collectionId, collectionName: collection.name, name: current.name } }, now);
      return { windowId, collectionId, deleted: true };
    });
  });

  app.get('/api/v1/collections/:collectionId/maintenance-windows/next', { config: { permission: 'read' } }, async (request): Promise<UpcomingWindows> => {
    const { collectionId } = parseInput(CollectionIdParam, request.params, 'path');
    const { count, timeZone } = parseInput(UpcomingWindowsQuery, request.query, 'query');
    const collection = await collectionOr404(db, collectionId);
    const windows = (await windowsOf(db, collectionId)).map((w) => ({ ...w, collectionName: collection.name }));
    return upcoming({ kind: 'collection', id: collectionId, name: collection.name }, windows, count, timeZone);
  });

  app.get('/api/v1/clients/:clientId/maintenance-windows/next', { config: { permission: 'read' } }, async (request): Promise<UpcomingWindows> => {
    const { clientId } = parseInput(ClientIdParam, request.params, 'path');
    const { count, timeZone } = parseInput(UpcomingWindowsQuery, request.query, 'query');
    const client = await db.selectFrom('clients').select(['client_id', 'name']).where('client_id', '=', clientId).executeTakeFirst();
    if (!client) throw notFound(`client ${clientId}`);
    // The windows its policy carries: those of every collection it is in.
    const rows = await db
      .selectFrom('collection_members as m')
      .innerJoin('maintenance_windows as w', 'w.collection_id', 'm.collection_id')
      .innerJoin('collections as c', 'c.collection_id', 'm.collection_id')
      .selectAll('w')
      .select('c.name as collection_name')
      .where('m.client_id', '=', clientId)
      .orderBy('w.created_at')
      .orderBy('w.window_id')
      .execute();
    const windows = rows.map(({ collection_name, ...w }) => ({ ...toCollectionWindow(w), collectionName: collection_name }));
    return upcoming({ kind: 'client', id: clientId, name: client.name }, windows, count, timeZone);
  });

  function upcoming(target: UpcomingWindows['target'], windows: Array<CollectionMaintenanceWindow & { collectionName: string }>, count: number, timeZone: string): UpcomingWindows {
    return {
      target,
      timeZone,
      sources: windows.map((w) => ({ windowId: w.windowId, name: w.name, collectionId: w.collectionId, collectionName: w.collectionName, enabled: w.enabled })),
      windows: upcomingWindows(windows, site.clock.now(), count, timeZone).map((i) => ({
        start: i.start.toISOString(),
        end: i.end.toISOString(),
        durationMinutes: Math.round((i.end.getTime() - i.start.getTime()) / 60_000),
      })),
    };
  }
}
