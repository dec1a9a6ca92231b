import type { Command } from 'commander';
import type { Client, Collection, CollectionMaintenanceWindow, MaintenanceWindowList, UpcomingWindows, WindowRecurrence } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { printJson, printTable } from '../output.ts';
import { resolveClient, resolveCollection } from './collections.ts';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function dayOf(value: string): number {
  const day = DAYS.indexOf(value.trim().toLowerCase().slice(0, 3));
  if (day < 0 || value.trim().length < 3) throw new CliError(`${JSON.stringify(value)} is not a day of the week (sun, mon, tue, wed, thu, fri, sat)`, ExitCode.usage);
  return day;
}

/** `180`, `90m`, `3h`, `1h30m` → minutes. */
function durationOf(value: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m?)?$/.exec(value.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) throw new CliError(`--duration is minutes (180) or hours and minutes (3h, 1h30m), not ${JSON.stringify(value)}`, ExitCode.usage);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

interface WindowOptions {
  name?: string;
  daily?: boolean;
  weekly?: string;
  monthly?: string;
  nth?: string;
  day?: string;
  start?: string;
  duration?: string;
  timeZone?: string;
  enabled?: boolean;
  json?: boolean;
}

/** At most one recurrence from --daily, --weekly, --monthly, --nth with --day. */
function recurrenceOf(o: WindowOptions): WindowRecurrence | undefined {
  const given = [o.daily, o.weekly, o.monthly, o.nth].filter((x) => x !== undefined).length;
  if (given > 1) throw new CliError('give one recurrence: --daily, --weekly <days>, --monthly <day> or --nth <n|last> --day <day>', ExitCode.usage);
  if (o.day !== undefined && o.nth === undefined) throw new CliError('--day goes with --nth (the second Tuesday: --nth 2 --day tue); for weekly windows use --weekly tue,thu', ExitCode.usage);
  if (o.daily) return { kind: 'daily' };
  if (o.weekly !== undefined) return { kind: 'weekly', daysOfWeek: [...new Set(o.weekly.split(',').map(dayOf))].sort() };
  if (o.monthly !== undefined) return { kind: 'monthly', dayOfMonth: Number(o.monthly) };
  if (o.nth !== undefined) {
    if (o.day === undefined) throw new CliError('--nth needs --day (the second Tuesday: --nth 2 --day tue)', ExitCode.usage);
    return { kind: 'monthly-nth-weekday', week: o.nth === 'last' ? 'last' : Number(o.nth), dayOfWeek: dayOf(o.day) } as WindowRecurrence;
  }
  return undefined;
}

function windowBody(o: WindowOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (o.name !== undefined) body.name = o.name;
  const recurrence = recurrenceOf(o);
  if (recurrence) body.recurrence = recurrence;
  if (o.start !== undefined) body.start = o.start;
  if (o.duration !== undefined) body.durationMinutes = durationOf(o.duration);
  if (o.timeZone !== undefined) body.timeZone = o.timeZone;
  if (o.enabled !== undefined) body.enabled = o.enabled;
  return body;
}

function recurrenceText(r: WindowRecurrence): string {
  switch (r.kind) {
    case 'daily':
      return 'daily';
    case 'weekly':
      return `weekly on ${r.daysOfWeek.map((d) => DAYS[d]).join(', ')}`;
    case 'monthly':
      return `monthly on day ${r.dayOfMonth}`;
    case 'monthly-nth-weekday':
      return `monthly on the ${r.week === 'last' ? 'last' : ['', 'first', 'second', 'third', 'fourth'][r.week]} ${DAYS[r.dayOfWeek]}`;
  }
}

function windowOptions(command: Command): Command {
  return command
    .option('--daily', 'every day')
    .option('--weekly <days>', 'on these days, e.g. sun or sat,sun')
    .option('--monthly <day>', 'on this day of the month (1–31; months without it have no window)')
    .option('--nth <n>', 'on the nth weekday of the month (1–4 or last), with --day: --nth 2 --day tue')
    .option('--day <day>', 'the weekday of --nth')
    .option('--start <HH:MM>', 'local start time')
    .option('--duration <time>', 'length: minutes (180) or 3h, 1h30m; 5 minutes to under 24 hours')
    .option('--time-zone <zone>', 'an IANA zone (Europe/Amsterdam) or client-local (each client\'s own time)')
    .option('--json', 'JSON output');
}

async function resolveWindow(api: ApiClient, collection: Collection, wanted: string): Promise<CollectionMaintenanceWindow> {
  const { windows } = await api.get<MaintenanceWindowList>(`/collections/${collection.collectionId}/maintenance-windows`);
  const found = windows.find((w) => w.windowId.toLowerCase() === wanted.toLowerCase()) ?? windows.find((w) => w.name.toLowerCase() === wanted.toLowerCase());
  if (!found) throw new CliError(`collection ${collection.name} has no maintenance window ${wanted}`, ExitCode.notFound);
  return found;
}

export function registerWindowCommands(program: Command): void {
  const windows = program.command('windows').description("collections' maintenance windows (§6.8): required installs and restarts wait for them");

  windows
    .command('list <collection>')
    .description("a collection's maintenance windows")
    .option('--json', 'JSON output')
    .action(async (wanted: string, o: { json?: boolean }) => {
      const api = new ApiClient();
      const c = await resolveCollection(api, wanted);
      const list = await api.get<MaintenanceWindowList>(`/collections/${c.collectionId}/maintenance-windows`);
      if (o.json) return printJson(list);
      printTable(
        ['WINDOW ID', 'NAME', 'RECURRENCE', 'START', 'DURATION', 'TIME ZONE', 'ENABLED'],
        list.windows.map((w) => [w.windowId, w.name, recurrenceText(w.recurrence), w.start, `${w.durationMinutes} min`, w.timeZone, w.enabled ? 'yes' : 'no']),
      );
    });

  windowOptions(windows.command('add <collection>').description('add a window (default: weekly on Sunday, 01:00 for 3 hours, client local time)').option('--name <name>', 'its name').option('--disabled', 'add it disabled')).action(
    async (wanted: string, o: WindowOptions & { disabled?: boolean }) => {
      const api = new ApiClient();
      const c = await resolveCollection(api, wanted);
      const w = await api.post<CollectionMaintenanceWindow>(`/collections/${c.collectionId}/maintenance-windows`, windowBody({ ...o, enabled: o.disabled ? false : undefined }));
      if (o.json) return printJson(w);
      process.stdout.write(`Added maintenance window ${w.name} (${w.windowId}) to ${c.name}: ${recurrenceText(w.recurrence)} at ${w.start} for ${w.durationMinutes} min, ${w.timeZone}\n`);
    },
  );

  windowOptions(
    windows
      .command('set <collection> <window>')
      .description('change a window (id or name): each option given replaces that setting')
      .option('--name <name>', 'rename it')
      .option('--enable', 'enable it')
      .option('--disable', 'disable it (kept, without effect)'),
  ).action(async (wanted: string, window: string, o: WindowOptions & { enable?: boolean; disable?: boolean }) => {
    if (o.enable && o.disable) throw new CliError('--enable and --disable exclude each other', ExitCode.usage);
    const api = new ApiClient();
    const c = await resolveCollection(api, wanted);
    const w = await resolveWindow(api, c, window);
    const body = windowBody({ ...o, enabled: o.enable ? true : o.disable ? false : undefined });
    if (Object.keys(body).length === 0) throw new CliError('nothing to change: give at least one option (see patchday windows set --help)', ExitCode.usage);
    const updated = await api.request<CollectionMaintenanceWindow>('PATCH', `/collections/${c.collectionId}/maintenance-windows/${w.windowId}`, body);
    if (o.json) return printJson(updated);
    process.stdout.write(`Updated maintenance window ${updated.name} (${updated.windowId}) of ${c.name}\n`);
  });

  windows
    .command('delete <collection> <window>')
    .description('delete a window (id or name)')
    .action(async (wanted: string, window: string) => {
      const api = new ApiClient();
      const c = await resolveCollection(api, wanted);
      const w = await resolveWindow(api, c, window);
      await api.delete(`/collections/${c.collectionId}/maintenance-windows/${w.windowId}`);
      process.stdout.write(`Deleted maintenance window ${w.name} (${w.windowId}) of ${c.name}\n`);
    });

  windows
    .command('next <target>')
    .description('the next service windows of a client (the union of its collections\' windows) or of a collection')
    .option('--count <n>', 'how many (max 100)', '5')
    .option('--time-zone <zone>', 'where to place windows in client local time (default UTC)')
    .option('--json', 'JSON output')
    .action(async (target: string, o: { count: string; timeZone?: string; json?: boolean }) => {
      const api = new ApiClient();
      const { collections } = await api.get<{ collections: Collection[] }>('/collections');
      const { clients } = await api.get<{ clients: Client[] }>('/clients');
      const collection = await resolveCollection(api, target, collections).catch(() => null);
      const client = await resolveClient(api, target, clients).catch(() => null);
      if (collection && client) throw new CliError(`${target} names both a collection and a client: use an id`, ExitCode.usage);
      if (!collection && !client) throw new CliError(`no collection or client ${target}`, ExitCode.notFound);
      const path = collection ? `/collections/${collection.collectionId}/maintenance-windows/next` : `/clients/${client!.clientId}/maintenance-windows/next`;
      const next = await api.get<UpcomingWindows>(path, { count: o.count, timeZone: o.timeZone });
      if (o.json) return printJson(next);
      const from = next.sources.filter((s) => s.enabled);
      process.stdout.write(`${next.target.kind} ${next.target.name}: ${from.length ? `the union of ${from.map((s) => `${s.name} (${s.collectionName})`).join(', ')}` : 'no maintenance window: no restriction'}\n\n`);
      if (from.length) printTable(['START', 'END', 'MINUTES'], next.windows.map((w) => [w.start, w.end, w.durationMinutes]));
    });
}
