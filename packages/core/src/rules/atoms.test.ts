import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debianApplicabilityRules } from '../compliance/debian.ts';
import { ruleReadsOf } from './atoms.ts';
import { MAX_RULE_DEPTH } from './rule.ts';

const binary = (pkg: string, architecture = 'amd64') => ({ package: pkg, version: '1.0-1', architecture, filename: `${pkg}.deb`, size: 1, sha256: '0'.repeat(64), section: null, priority: null, summary: null });

test("a Debian update's rules read only os and dpkg, and name exactly its binaries", () => {
  const rules = debianApplicabilityRules({ product: 'Debian 12', binaries: [binary('libssl3'), binary('openssl'), binary('libssl3', 'i386'), binary('libssl-doc', 'all')] });
  const reads = ruleReadsOf([rules.prerequisites, rules.isInstallable, rules.isInstalled]);
  assert.equal(reads.osAndDpkgOnly, true);
  assert.deepEqual([...reads.dpkgPackages].sort(), ['libssl-doc', 'libssl3', 'openssl']);
  assert.deepEqual([...reads.kinds].sort(), ['dpkg', 'os']);
});

test('anything else, anywhere in the rule, needs the whole inventory', () => {
  const dpkg = { dpkg: { package: 'curl' } };
  for (const other of [
    { fact: { key: 'hostname', equals: 'a' } },
    { file: { path: '/etc/x' } },
    { command: { argv: ['true'], timeoutSeconds: 1 } },
    { registry: { key: 'x' } },
    { and: [dpkg], or: [dpkg] },
    { and: dpkg },
    { dpkg: { package: 42 } },
    'dpkg',
    null,
  ]) {
    const reads = ruleReadsOf([{ and: [dpkg, { not: { or: [other] } }] }]);
    assert.equal(reads.osAndDpkgOnly, false, JSON.stringify(other));
  }
  let deep: unknown = dpkg;
  for (let i = 0; i < MAX_RULE_DEPTH + 1; i++) deep = { not: deep };
  assert.equal(ruleReadsOf([deep]).osAndDpkgOnly, false, 'beyond the bounds');
  assert.equal(ruleReadsOf([{ or: [] }, { os: { family: 'debian' } }]).osAndDpkgOnly, true);
});
