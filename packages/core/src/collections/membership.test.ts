import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_SYSTEMS_COLLECTION_ID, CollectionClientSettings, CreateCollectionRequest, UpdateCollectionRequest } from '../api/collections.ts';
import type { ClientSettings } from '../api/clients.ts';
import type { DpkgPackage, Inventory } from '../inventory/inventory.ts';
import {
  CollectionGraphError,
  collectionsOfClient,
  computeMemberships,
  dependentCollections,
  directDependants,
  mergeClientSettings,
  planCollections,
  queryInventoryOf,
  type CollectionDefinition,
  type MembershipClient,
} from './membership.ts';

const pkg = (name: string, version: string): DpkgPackage => ({ name, version, architecture: 'amd64', status: 'install ok installed', multiArch: null });

function machine(versionId: string, packages: Record<string, string>, facts: Record<string, string> = {}): Inventory {
  return {
    os: { family: 'debian', versionId, codename: versionId === '12' ? 'bookworm' : 'trixie', architecture: 'amd64' },
    dpkg: Object.fromEntries(Object.entries(packages).map(([n, v]) => [n, pkg(n, v)])),
    facts,
  };
}

const ALL = ALL_SYSTEMS_COLLECTION_ID;
const root: CollectionDefinition = { collectionId: ALL, name: 'All Systems', limitingCollectionId: null, queryRules: [], includeCollectionIds: [], excludeCollectionIds: [] };
const collection = (collectionId: string, overrides: Partial<CollectionDefinition> = {}): CollectionDefinition => ({
  collectionId,
  name: collectionId,
  limitingCollectionId: ALL,
  queryRules: [],
  includeCollectionIds: [],
  excludeCollectionIds: [],
  ...overrides,
});

const clients: MembershipClient[] = [
  { clientId: 'c-web1', name: 'web-1', inventory: machine('12', { openssl: '3.0.15-1~deb12u1', nginx: '1.22.1-9' }, { role: 'web' }) },
  { clientId: 'c-web2', name: 'web-2', inventory: machine('12', { openssl: '3.0.17-1~deb12u3', nginx: '1.22.1-9' }, { role: 'web' }) },
  { clientId: 'c-db1', name: 'db-1', inventory: machine('13', { openssl: '3.5.1-1', postgresql: '17+278' }, { role: 'db', hostname: 'reported-by-agent' }) },
  { clientId: 'c-new', name: 'web-3', inventory: null },
];

const members = (result: Map<string, Set<string>>, id: string) => [...(result.get(id) ?? [])].sort();

describe('collection membership', () => {
  test('All Systems holds every client it is given; query rules on os, packages, versions, facts and hostname', () => {
    const defs = [
      root,
      collection('debian12', { queryRules: [{ name: 'bookworm', rule: { os: { family: 'debian', versionId: '12' } } }] }),
      collection('nginx', { queryRules: [{ name: 'nginx', rule: { dpkg: { package: 'nginx' } } }] }),
      collection('old-openssl', { queryRules: [{ name: 'old', rule: { dpkg: { package: 'openssl', version: { op: 'lt', value: '3.0.17-1~deb12u3' } } } }] }),
      collection('db-role', { queryRules: [{ name: 'role', rule: { fact: { key: 'role', equals: 'db' } } }] }),
      collection('web-names', { queryRules: [{ name: 'names', rule: { fact: { key: 'hostname', matches: '^web-' } } }] }),
      collection('two-rules', { queryRules: [{ name: 'db', rule: { fact: { key: 'role', equals: 'db' } } }, { name: 'web-1', rule: { fact: { key: 'hostname', equals: 'web-1' } } }] }),
    ];
    const result = computeMemberships(defs, clients);
    assert.deepEqual(members(result, ALL), ['c-db1', 'c-new', 'c-web1', 'c-web2']);
    assert.deepEqual(members(result, 'debian12'), ['c-web1', 'c-web2']);
    assert.deepEqual(members(result, 'nginx'), ['c-web1', 'c-web2']);
    assert.deepEqual(members(result, 'old-openssl'), ['c-web1'], 'dpkg version order: 3.0.15 < 3.0.17');
    assert.deepEqual(members(result, 'db-role'), ['c-db1']);
    // The registered name is the hostname, whatever the agent reported; a client without inventory matches by name.
    assert.deepEqual(members(result, 'web-names'), ['c-new', 'c-web1', 'c-web2']);
    assert.deepEqual(members(result, 'two-rules'), ['c-db1', 'c-web1'], 'any rule makes a member');
  });

  test("'unknown' is not a member: a client without inventory matches no package rule, nor its negation", () => {
    const defs = [
      root,
      collection('no-nginx', { queryRules: [{ name: 'r', rule: { not: { dpkg: { package: 'nginx' } } } }] }),
      collection('no-inventory-os', { queryRules: [{ name: 'r', rule: { not: { os: { family: 'debian' } } } }] }),
    ];
    const result = computeMemberships(defs, clients);
    assert.deepEqual(members(result, 'no-nginx'), ['c-db1']);
    assert.deepEqual(members(result, 'no-inventory-os'), []);
  });

  test('direct ∪ include − exclude, ∩ limiting collection; exclusion beats direct membership', () => {
    const defs = [
      root,
      collection('debian12', { queryRules: [{ name: 'r', rule: { os: { versionId: '12' } } }] }),
      collection('db', { queryRules: [{ name: 'r', rule: { fact: { key: 'role', equals: 'db' } } }] }),
      collection('servers', { includeCollectionIds: ['debian12', 'db'] }),
      collection('servers-but-db', { includeCollectionIds: ['servers'], excludeCollectionIds: ['db'] }),
      collection('pilot', { limitingCollectionId: 'debian12' }),
      collection('direct-excluded', { excludeCollectionIds: ['db'] }),
    ];
    const direct = new Map([
      ['pilot', ['c-web2', 'c-db1']],
      ['direct-excluded', ['c-db1', 'c-new']],
    ]);
    const result = computeMemberships(defs, clients, direct);
    assert.deepEqual(members(result, 'servers'), ['c-db1', 'c-web1', 'c-web2']);
    assert.deepEqual(members(result, 'servers-but-db'), ['c-web1', 'c-web2']);
    assert.deepEqual(members(result, 'pilot'), ['c-web2'], 'db-1 is a direct member but not in the limiting collection');
    assert.deepEqual(members(result, 'direct-excluded'), ['c-new']);
  });

  test('members are always within the limiting collection, through includes too', () => {
    const defs = [
      root,
      collection('db', { queryRules: [{ name: 'r', rule: { fact: { key: 'role', equals: 'db' } } }] }),
      collection('debian12', { queryRules: [{ name: 'r', rule: { os: { versionId: '12' } } }] }),
      collection('d12-view', { limitingCollectionId: 'debian12', includeCollectionIds: ['db'], queryRules: [{ name: 'any', rule: { fact: { key: 'hostname', matches: '.' } } }] }),
    ];
    assert.deepEqual(members(computeMemberships(defs, clients), 'd12-view'), ['c-web1', 'c-web2']);
  });

  test('only the collections asked for are evaluated; the others keep their known membership', () => {
    const defs = [root, collection('a', { queryRules: [{ name: 'r', rule: { os: { versionId: '12' } } }] }), collection('b', { includeCollectionIds: ['a'] }), collection('c')];
    const plan = planCollections(defs);
    const evaluate = dependentCollections(defs, ['b']);
    assert.deepEqual([...evaluate].sort(), ['b']);
    const got = collectionsOfClient(plan, { client: clients[0], directCollectionIds: new Set(), evaluate, knownCollectionIds: new Set([ALL, 'c']) });
    // 'a' was not evaluated and is not known: b (evaluated) sees web-1 outside a.
    assert.deepEqual([...got].sort(), [ALL, 'c']);
    assert.deepEqual([...dependentCollections(defs, ['a'])].sort(), ['a', 'b']);
    assert.deepEqual([...dependentCollections(defs, [ALL])].sort(), [ALL, 'a', 'b', 'c']);
  });

  test('the hostname fact is the registered name; other facts and the dpkg record are kept', () => {
    const inv = queryInventoryOf(clients[2]);
    assert.equal(inv.facts.hostname, 'db-1');
    assert.equal(inv.facts.role, 'db');
    assert.equal(inv.dpkg, clients[2].inventory!.dpkg, 'the dpkg record is shared, not copied');
    assert.equal(clients[2].inventory!.facts.hostname, 'reported-by-agent', 'the stored inventory is not modified');
  });
});

describe('collection graph', () => {
  test('a cycle through include, exclude and limiting collections is reported with the path', () => {
    const defs = [root, collection('a', { includeCollectionIds: ['b'] }), collection('b', { excludeCollectionIds: ['c'] }), collection('c', { limitingCollectionId: 'a' })];
    assert.throws(
      () => planCollections(defs),
      (e: unknown) => e instanceof CollectionGraphError && e.kind === 'cycle' && e.message === 'collections would depend on themselves: "a" includes "b" excludes "c" limited by "a"' && e.collections.join(',') === 'a,b,c,a',
    );
    assert.throws(() => planCollections([root, collection('self', { includeCollectionIds: ['self'] })]), /"self" includes "self"/);
  });

  test('a reference to a collection that does not exist, and a graph without a root, are refused', () => {
    assert.throws(() => planCollections([root, collection('a', { excludeCollectionIds: ['ghost'] })]), /collection "a" excludes collection ghost, which does not exist/);
    assert.throws(() => planCollections([collection('a')]), (e: unknown) => e instanceof CollectionGraphError && e.kind === 'no-root');
  });

  test('a long chain is ordered without recursion, dependencies first', () => {
    const defs: CollectionDefinition[] = [root];
    for (let i = 1; i <= 20_000; i++) defs.push(collection(`c${i}`, { limitingCollectionId: i === 1 ? ALL : `c${i - 1}` }));
    const plan = planCollections([...defs].reverse());
    assert.equal(plan.order[0].collectionId, ALL);
    assert.equal(plan.order.at(-1)!.collectionId, 'c20000');
  });

  test('direct dependants name the relation', () => {
    const defs = [root, collection('a'), collection('b', { limitingCollectionId: 'a' }), collection('c', { includeCollectionIds: ['a'], excludeCollectionIds: ['b'] })];
    assert.deepEqual(directDependants(defs, 'a').map((d) => `${d.collection.name} ${d.relation}`), ['b limited by', 'c includes']);
  });
});

describe('client settings precedence', () => {
  const defaults: ClientSettings = {
    softwareUpdatesEnabled: true, policyPollingMinutes: 60, firstScanWithinMinutes: 120, scanScheduleDays: 7, scanRandomisationMinutes: 120,
    deploymentReevaluationDays: 7, metadataTtlHours: 24, stateMessageBatchMinutes: 15, scanRetryMinutes: 30, scanRetries: 4, cacheMaximumMb: 5120,
    cacheMinimumAgeMinutes: 1440, restartCountdownMinutes: 90, restartFinalCountdownMinutes: 15, restartReminderMinutes: 240,
  };

  test('setting by setting, the lowest priority number that sets it wins; the rest are defaults', () => {
    const { settings, origins } = mergeClientSettings(defaults, [
      { collectionId: 'x', name: 'weekly', settingsPriority: 10, clientSettings: { scanScheduleDays: 3, policyPollingMinutes: 30 } },
      { collectionId: 'y', name: 'kiosks', settingsPriority: 5, clientSettings: { policyPollingMinutes: 15, softwareUpdatesEnabled: false } },
    ]);
    assert.deepEqual(settings, { ...defaults, scanScheduleDays: 3, policyPollingMinutes: 15, softwareUpdatesEnabled: false });
    assert.deepEqual(origins.policyPollingMinutes, { source: 'collection', collectionId: 'y', name: 'kiosks', settingsPriority: 5 });
    assert.deepEqual(origins.scanScheduleDays, { source: 'collection', collectionId: 'x', name: 'weekly', settingsPriority: 10 });
    assert.deepEqual(origins.metadataTtlHours, { source: 'default' });
    assert.deepEqual(mergeClientSettings(defaults, []).settings, defaults);
  });
});

describe('collection request schemas', () => {
  test('defaults: limited by All Systems, no rules, no settings', () => {
    const parsed = CreateCollectionRequest.parse({ name: 'Pilot' });
    assert.equal(parsed.limitingCollectionId, ALL);
    assert.deepEqual([parsed.queryRules, parsed.includeCollectionIds, parsed.clientSettings, parsed.settingsPriority], [[], [], {}, null]);
  });

  test('bounds: names, rule count, rule shape, settings per §12, priority with settings', () => {
    const problems = (value: unknown) => {
      const r = CreateCollectionRequest.safeParse(value);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.match(problems({ name: '' }).join(), /name: a collection name cannot be empty/);
    assert.match(problems({ name: 'x'.repeat(101) }).join(), /at most 100 characters/);
    assert.match(problems({ name: 'a\nb' }).join(), /control characters/);
    assert.match(problems({ name: 'x', colour: 'red' }).join(), /Unrecognized key/);
    assert.match(problems({ name: 'x', queryRules: Array.from({ length: 51 }, (_, i) => ({ name: `r${i}`, rule: { os: { family: 'debian' } } })) }).join(), /at most 50 query rules/);
    assert.match(problems({ name: 'x', queryRules: [{ name: 'r', rule: { dpkg: { package: 'Not A Package' } } }] }).join(), /queryRules\.0\.rule\.dpkg\.package: "Not A Package" is not a Debian package name/);
    assert.match(problems({ name: 'x', queryRules: [{ name: 'r', rule: { os: {} } }, { name: 'r', rule: { os: { family: 'debian' } } }] }).join(), /unique within a collection/);
    assert.match(problems({ name: 'x', includeCollectionIds: Array.from({ length: 51 }, () => ALL) }).join(), /at most 50 include collections/);
    assert.match(problems({ name: 'x', includeCollectionIds: [ALL], excludeCollectionIds: [ALL] }).join(), /both included and excluded/);
    assert.match(problems({ name: 'x', clientSettings: { scanScheduleDays: 0 }, settingsPriority: 1 }).join(), /never less than 1 day/);
    assert.match(problems({ name: 'x', clientSettings: { policyPollingMinutes: 4 }, settingsPriority: 1 }).join(), /clientSettings\.policyPollingMinutes/);
    assert.match(problems({ name: 'x', clientSettings: { metadataTtlHours: 721 }, settingsPriority: 1 }).join(), /clientSettings\.metadataTtlHours/);
    assert.match(problems({ name: 'x', clientSettings: { stateMessageBatchMinutes: 0 }, settingsPriority: 1 }).join(), /clientSettings\.stateMessageBatchMinutes/);
    assert.match(problems({ name: 'x', clientSettings: { bogus: 1 }, settingsPriority: 1 }).join(), /Unrecognized key/);
    assert.match(problems({ name: 'x', clientSettings: { scanScheduleDays: 2 } }).join(), /settingsPriority: client settings need a settingsPriority/);
    assert.match(problems({ name: 'x', clientSettings: { scanScheduleDays: 2 }, settingsPriority: 0 }).join(), /settingsPriority/);
    assert.deepEqual(problems({ name: 'x', clientSettings: { scanScheduleDays: 1, softwareUpdatesEnabled: false }, settingsPriority: 3 }), []);
    assert.deepEqual(CollectionClientSettings.parse({}), {});
  });

  test('an update names at least one field', () => {
    assert.equal(UpdateCollectionRequest.safeParse({}).success, false);
    assert.equal(UpdateCollectionRequest.safeParse({ description: 'x' }).success, true);
  });
});
