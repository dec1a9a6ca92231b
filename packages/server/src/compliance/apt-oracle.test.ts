/**
 * §4's promise, checked against apt itself: on the same machine and the same indexes, the
 * packages Patchday's Required updates would upgrade are exactly the packages apt upgrades,
 * each to the same version. apt runs unprivileged in a sandbox on the real snapshot; Patchday's
 * side uses only core, as an agent would.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  binariesLeftBehind,
  Inventory as InventorySchema,
  inventoryOsOf,
  parseDeb822All,
  parseDpkgStatus,
  parseOsRelease,
  pendingDebianUpgrades,
} from '@patchday/core';
import type { AptSandbox } from '../../test/support/apt-sandbox.ts';
import { aptFor, catalogueOf, OS_RELEASE, packagesText, patchdayUpgrades, scan, sorted, type Suite } from '../../test/support/apt-oracle-support.ts';
import { sharedData, snapshotRoot as SNAPSHOT } from '../../test/site-harness.ts';
import { type ArchiveServer, startArchiveServer } from '../../test/support/archive-server.ts';

const NODE_IMAGE_STATUS = join(sharedData, 'dpkg-status/bookworm-node-image.status');

/** The catalogue of `suites` from the snapshot, with the index texts it came from. */
async function catalogueWithTexts(suites: readonly Suite[], product: string) {
  const texts = await Promise.all(suites.map(packagesText));
  return { ...catalogueOf(suites, texts, product), texts };
}

/** `apt list --upgradable`: name → candidate version; held packages included. */
async function aptListUpgradable(sandbox: AptSandbox): Promise<Map<string, string>> {
  const { stdout } = await sandbox.run('apt', ['list', '--upgradable']);
  const listed = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^([^/\s]+)\/\S+ (\S+) (\S+) \[upgradable from: [^\]]+\]$/.exec(line);
    if (m) listed.set(m[3] === 'amd64' || m[3] === 'all' ? m[1] : `${m[1]}:${m[3]}`, m[2]);
    else assert.ok(line === '' || line === 'Listing...' || line.startsWith('WARNING'), `unexpected apt list line: ${line}`);
  }
  return listed;
}

/** Both at once (apt works in its own processes while this one builds the catalogue); a sandbox made while the other failed is still disposed. */
async function alongside<T>(apt: Promise<AptSandbox>, work: Promise<T>): Promise<[AptSandbox, T]> {
  const [sandbox, result] = await Promise.allSettled([apt, work]);
  if (sandbox.status === 'fulfilled' && result.status === 'fulfilled') return [sandbox.value, result.value];
  if (sandbox.status === 'fulfilled') await sandbox.value.dispose();
  throw sandbox.status === 'rejected' ? sandbox.reason : (result as PromiseRejectedResult).reason;
}

describe('Required updates equal apt\'s upgrades', () => {
  let server: ArchiveServer;
  before(async () => {
    server = await startArchiveServer(SNAPSHOT);
  });
  after(async () => {
    await server.close();
  });

  test('the bookworm node image: 136 packages, the same names and versions as apt dist-upgrade', async () => {
    const statusText = await readFile(NODE_IMAGE_STATUS, 'utf8');
    const suites: Suite[] = [
      { archive: 'debian', suite: 'bookworm' },
      { archive: 'debian', suite: 'bookworm-updates' },
      { archive: 'debian-security', suite: 'bookworm-security' },
    ];
    const [sandbox, { updates, verdicts }] = await alongside(aptFor(server, 'bookworm', NODE_IMAGE_STATUS), catalogueWithTexts(suites, 'Debian 12'));
    try {
      const [sim, listed] = await Promise.all([sandbox.simulateDistUpgrade(), aptListUpgradable(sandbox)]);
      const inventory = InventorySchema.parse({
        os: inventoryOsOf(parseOsRelease(OS_RELEASE.bookworm), 'amd64'),
        dpkg: parseDpkgStatus(statusText),
        facts: {},
      });

      const current = updates.filter((u) => !verdicts.get(u.updateId)!.superseded);
      const states = scan(current, inventory);
      const required = current.filter((u) => states.get(u.updateId) === 'Required');
      const ours = patchdayUpgrades(required, inventory);

      const apts = new Map(sim.upgrades.map((u) => [u.package, u.to]));
      assert.equal(sim.summary.newlyInstalled, 0);
      assert.deepEqual(sorted(ours), sorted(apts));
      assert.equal(ours.size, 136);
      assert.deepEqual(sorted(ours), sorted(listed), 'apt list --upgradable agrees too');

      // Every installed package is accounted for: nothing on this machine is Unknown, and
      // every Required update upgrades something.
      assert.equal([...states.values()].filter((s) => s === 'Unknown').length, 0);
      for (const u of required) assert.ok(pendingDebianUpgrades([u], inventory).length > 0, u.title);
      const openssl = current.find((u) => u.source === 'openssl' && u.suite === 'bookworm-security')!;
      assert.equal(states.get(openssl.updateId), 'Required');
      assert.equal(ours.get('libssl3'), apts.get('libssl3'));

      // Keeping the superseded uploads that alone carry some binary's newest version changes
      // nothing on this machine: none of those binaries is installed here.
      const leftBehind = binariesLeftBehind(updates, verdicts);
      assert.ok(leftBehind.size > 0);
      const inForce = updates.filter((u) => !verdicts.get(u.updateId)!.superseded || leftBehind.has(u.updateId));
      const inForceStates = scan(inForce, inventory);
      assert.deepEqual(sorted(patchdayUpgrades(inForce.filter((u) => inForceStates.get(u.updateId) === 'Required'), inventory)), sorted(apts));
    } finally {
      await sandbox.dispose();
    }
  });

  test('a crafted trixie machine: arch changes, binNMUs, foreign architectures, holds and left-behind binaries as apt sees them', async () => {
    const suites: Suite[] = [
      { archive: 'debian', suite: 'trixie' },
      { archive: 'debian', suite: 'trixie-updates' },
      { archive: 'debian-security', suite: 'trixie-security' },
    ];
    const [sandbox, { updates, verdicts, texts }] = await alongside(aptFor(server, 'trixie'), catalogueWithTexts(suites, 'Debian 13'));
    try {
      const main = new Map(parseDeb822All(texts[0]).map((s) => [s.Package, s]));

      // The machine: a few packages chosen for the cases below, each with a real trixie stanza
      // (as dpkg keeps it: without the archive's fields, with a Status), plus everything they
      // depend on, installed at the trixie 13.8 version. Relationships must stay, so the
      // dependencies must be there: apt tells two builds of one version apart by them, and
      // would offer the archive's build of a stripped package as an upgrade to the same version.
      // `standalone`: the stanza is not trixie's (another architecture, an older release, removed),
      // so its relationships are dropped rather than followed.
      type Change = { Version?: string; Architecture?: string; Status?: string; standalone?: boolean };
      const cases: Record<string, Change> = {
        haproxy: {}, // amd64, upgraded from trixie-security
        'vim-haproxy': {}, // an Architecture: all binary of the same upload
        libgd3: {}, // Multi-Arch: same
        'python3-django': {}, // epoch 3
        libeot0: {}, // binNMU 0.01-5+b2 of source version 0.01-5
        // bookworm's amd64 library, kept through the upgrade to trixie, where it became an `all`
        // transitional package: apt upgrades it across the architecture change.
        'libc-ares2': { Version: '1.18.1-3', Architecture: 'amd64', standalone: true },
        // botan3's trixie-security upload builds libbotan-3-12: only the superseded 3.7.1+dfsg-2 upload carries libbotan-3-7.
        'libbotan-3-7': { Version: '3.7.1+dfsg-1' },
        // A foreign-architecture package: the catalogue (amd64) has nothing for it, and apt has no i386 index.
        anope: { Architecture: 'i386', standalone: true },
        // Held: apt dist-upgrade keeps it back, yet it is installed at a lower version, so Required.
        radsecproxy: { Status: 'hold ok installed' },
        // Removed with its configuration kept: not installed, so its update is Not Required.
        'pdns-recursor': { Status: 'deinstall ok config-files', standalone: true },
        // Newer than anything published (a local build): Installed.
        'git-annex': { Version: '10.20250416-2+deb13u9' },
        // Binary version 0.17+2.6-3+deb13u3 of source version 2:2.6-3+deb13u3: current, compared as the binary.
        telnet: {},
        tzdata: {},
        dpkg: {},
      };
      const providers = new Map<string, string>();
      for (const stanza of main.values()) {
        for (const provided of (stanza.Provides ?? '').split(',')) {
          const name = provided.trim().split(/[\s(]/)[0];
          if (name && !providers.has(name)) providers.set(name, stanza.Package);
        }
      }
      const realPackage = (alternative: string) => {
        const name = alternative.trim().split(/[\s(:]/)[0];
        return main.has(name) ? name : providers.get(name);
      };
      const machine = new Set<string>();
      const queue = Object.keys(cases).filter((name) => !cases[name].standalone);
      while (queue.length > 0) {
        const name = queue.pop()!;
        if (machine.has(name)) continue;
        machine.add(name);
        const stanza = main.get(name)!;
        for (const group of [stanza.Depends, stanza['Pre-Depends']].filter(Boolean).join(',').split(',').filter((g) => g.trim())) {
          const chosen = group.split('|').map(realPackage).find((p) => p !== undefined);
          assert.ok(chosen, `${name}: nothing in trixie satisfies ${group}`);
          queue.push(chosen);
        }
      }
      const dpkgStanza = (name: string) => {
        const stanza = main.get(name);
        assert.ok(stanza, `${name} is in trixie main`);
        const { standalone, ...change } = cases[name] ?? {};
        const fields: Record<string, string> = { Package: name, Status: 'install ok installed' };
        for (const [key, value] of Object.entries(stanza)) {
          if (/^(Package|Filename|Size|MD5sum|SHA256|Description-md5)$/.test(key)) continue;
          if (standalone && /^(Depends|Pre-Depends|Recommends|Suggests|Breaks|Conflicts|Provides|Replaces)$/.test(key)) continue;
          fields[key] = value;
        }
        Object.assign(fields, change);
        return Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n');
      };
      const statusText = [...machine, ...Object.keys(cases).filter((name) => cases[name].standalone)].sort().map(dpkgStanza).join('\n\n') + '\n';
      await writeFile(sandbox.statusFile, statusText);
      const [sim, listed] = await Promise.all([sandbox.simulateDistUpgrade(), aptListUpgradable(sandbox)]);
      const inventory = InventorySchema.parse({ os: inventoryOsOf(parseOsRelease(OS_RELEASE.trixie), 'amd64'), dpkg: parseDpkgStatus(statusText), facts: {} });
      assert.ok(Object.hasOwn(inventory.dpkg!, 'anope:i386') && Object.hasOwn(inventory.dpkg!, 'libgd3:amd64'), 'keyed as dpkg names them');

      const leftBehind = binariesLeftBehind(updates, verdicts);
      const inForce = updates.filter((u) => !verdicts.get(u.updateId)!.superseded || leftBehind.has(u.updateId));
      const states = scan(inForce, inventory);
      const required = inForce.filter((u) => states.get(u.updateId) === 'Required');
      const ours = patchdayUpgrades(required, inventory);

      assert.deepEqual(sorted(ours), sorted(listed), 'the same as apt list --upgradable');
      const cased = new Map([...ours].filter(([name]) => Object.hasOwn(cases, name.split(':')[0])));
      assert.deepEqual(sorted(cased), [
        ['haproxy', '3.0.11-1+deb13u5'],
        ['libbotan-3-7', '3.7.1+dfsg-2'],
        ['libc-ares2', '1.34.9-1~deb13u1'],
        ['libeot0', '0.01-5+deb13u1'],
        ['libgd3', '2.3.3-14~deb13u3'],
        ['python3-django', '3:4.2.30-0+deb13u1'],
        ['radsecproxy', '1.11.2-1+deb13u2'],
        ['vim-haproxy', '3.0.11-1+deb13u5'],
      ]);

      // dist-upgrade honours the hold; everything else it upgrades is what Patchday says.
      const apts = new Map(sim.upgrades.map((u) => [u.package, u.to]));
      const notHeld = new Map([...ours].filter(([name]) => name !== 'radsecproxy'));
      assert.deepEqual(sorted(apts), sorted(notHeld));

      const stateOf = (source: string, suite: string) => states.get(inForce.find((u) => u.source === source && u.suite === suite)!.updateId);
      assert.equal(stateOf('radsecproxy', 'trixie-security'), 'Required');
      assert.equal(stateOf('pdns-recursor', 'trixie-security'), 'Not Required');
      assert.equal(stateOf('anope', 'trixie-security'), 'Not Required');
      assert.equal(stateOf('git-annex', 'trixie-security'), 'Installed');
      assert.equal(stateOf('inetutils', 'trixie-security'), 'Installed');
      assert.equal(stateOf('tzdata', 'trixie-updates'), 'Installed');
      assert.equal(stateOf('botan3', 'trixie'), 'Required');

      // Supersedence by source alone would miss libbotan-3-7, which apt upgrades.
      const current = updates.filter((u) => !verdicts.get(u.updateId)!.superseded);
      const currentStates = scan(current, inventory);
      const bySourceOnly = patchdayUpgrades(current.filter((u) => currentStates.get(u.updateId) === 'Required'), inventory);
      assert.deepEqual([...ours.keys()].filter((name) => !bySourceOnly.has(name)), ['libbotan-3-7']);
    } finally {
      await sandbox.dispose();
    }
  });
});
