import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogueEntry } from '../api/update-point.ts';
import { debianApplicabilityRules } from '../compliance/debian.ts';
import type { UpdateApplicability } from '../compliance/applicability.ts';
import { evaluateUpdate } from '../compliance/applicability.ts';
import type { Inventory } from '../inventory/inventory.ts';
import { detectionChanges, evaluateCatalogue } from './evaluate-catalogue.ts';

const binary = (pkg: string, version: string, architecture = 'amd64') => ({ package: pkg, version, architecture, filename: `pool/${pkg}.deb`, size: 1, sha256: '0'.repeat(64), section: null, priority: null, summary: null });
const entry = (id: string, applicability: UpdateApplicability): CatalogueEntry => ({
  updateId: `00000000-0000-4000-8000-${id.padStart(12, '0')}`, revision: 1, title: id, classification: 'Security Updates', severity: 'Important', releaseDate: '2026-11-24',
  present: true, superseded: false, expired: false, changeSeq: 1, rebootBehaviour: 'may request', applicability, binaries: [],
});
const machine = (versionId: string, packages: Record<string, string>): Inventory => ({
  os: { family: 'debian', versionId, codename: null, architecture: 'amd64' },
  dpkg: Object.fromEntries(Object.entries(packages).map(([name, version]) => [name, { name, architecture: 'amd64', version, status: 'install ok installed', multiArch: null }])),
  facts: { hostname: 'web-01' },
});

const entries = [
  entry('1', debianApplicabilityRules({ product: 'Debian 12', binaries: [binary('openssl', '3.0.22-1~deb12u2'), binary('libssl3', '3.0.22-1~deb12u2')] })),
  entry('2', debianApplicabilityRules({ product: 'Debian 12', binaries: [binary('zsh', '5.9-4+b7')] })),
  entry('3', debianApplicabilityRules({ product: 'Debian 13', binaries: [binary('zsh', '5.9-8')] })),
  // Reads a fact: never answered from the kept answer.
  entry('4', { prerequisites: { os: { family: 'debian' } }, isInstalled: { fact: { key: 'hostname', equals: 'web-01' } }, isInstallable: { dpkg: { package: 'zsh', installed: false } } }),
];

test('every answer equals the plain evaluator, scan after scan, also when the os or the packages change', () => {
  const machines = [
    machine('12', { openssl: '3.0.15-1~deb12u1', libssl3: '3.0.15-1~deb12u1' }),
    machine('12', {}),
    machine('13', { zsh: '5.9-4' }),
    machine('12', { zsh: '5.9-4+b7' }),
    machine('12', {}),
    { ...machine('12', {}), dpkg: null },
  ];
  for (const inventory of machines) {
    const states = evaluateCatalogue(entries, inventory);
    for (const [i, e] of entries.entries()) assert.equal(states[i], evaluateUpdate(e.applicability, inventory), `${e.title} on ${JSON.stringify(inventory.os)} ${JSON.stringify(Object.keys(inventory.dpkg ?? {}))}`);
  }
  assert.equal(evaluateCatalogue(entries, machines[0])[0], 'Required');
  assert.equal(evaluateCatalogue(entries, machines[2])[2], 'Required');
  assert.equal(evaluateCatalogue(entries, machines[4])[2], 'Not Required');
});

test('state messages are the changes: a new update is reported unless Not Required; a revision is reported again', () => {
  const entry4 = (id: string, revision: number) => ({ ...entry(id, entries[0].applicability), updateId: id, revision });
  const current = [entry4('a', 1), entry4('b', 1), entry4('c', 2), entry4('d', 1)];
  const states = ['Required', 'Not Required', 'Installed', 'Not Required'] as const;
  const previous = new Map([
    ['c', { stateId: 3, revision: 1 }],
    ['d', { stateId: 2, revision: 1 }],
  ]);
  assert.deepEqual(
    detectionChanges(previous, current, [...states]).map((c) => [c.updateId, c.stateId]),
    [['a', 2], ['c', 3], ['d', 1]],
  );
});
