import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Inventory } from '../inventory/inventory.ts';
import type { ApplicabilityRule } from '../rules/rule.ts';
import { DETECTION_TOPIC, type DetectionState, detectionStateIds, detectionStateOfId, evaluateUpdate, UpdateApplicability } from './applicability.ts';

const inventory: Inventory = {
  os: { family: 'debian', versionId: '12', codename: 'bookworm', architecture: 'amd64' },
  dpkg: {},
  facts: { yes: 'y', no: 'n' },
};
const rule = { true: { fact: { key: 'yes', equals: 'y' } }, false: { fact: { key: 'no', equals: 'y' } }, unknown: { fact: { key: 'absent', equals: 'y' } } } satisfies Record<string, ApplicabilityRule>;
type T = keyof typeof rule;

const state = (prerequisites: T, isInstalled: T, isInstallable: T): DetectionState =>
  evaluateUpdate({ prerequisites: rule[prerequisites], isInstalled: rule[isInstalled], isInstallable: rule[isInstallable] }, inventory);

describe('evaluateUpdate (§4)', () => {
  test('prerequisites that fail make the update Not Required, whatever else holds', () => {
    for (const a of ['true', 'false', 'unknown'] as const) for (const b of ['true', 'false', 'unknown'] as const) assert.equal(state('false', a, b), 'Not Required');
  });

  test('installed wins over installable', () => {
    assert.equal(state('true', 'true', 'true'), 'Installed');
    assert.equal(state('true', 'true', 'false'), 'Installed');
    assert.equal(state('true', 'true', 'unknown'), 'Installed');
  });

  test('installable and not installed is Required; neither is Not Required', () => {
    assert.equal(state('true', 'false', 'true'), 'Required');
    assert.equal(state('true', 'false', 'false'), 'Not Required');
  });

  test('an unknown that could change the answer leaves the update Unknown', () => {
    assert.equal(state('unknown', 'true', 'true'), 'Unknown');
    assert.equal(state('unknown', 'false', 'false'), 'Unknown');
    assert.equal(state('true', 'unknown', 'true'), 'Unknown', 'it might be Installed');
    assert.equal(state('true', 'unknown', 'false'), 'Unknown', 'it might be Installed');
    assert.equal(state('true', 'false', 'unknown'), 'Unknown', 'Required or Not Required');
  });
});

describe('UpdateApplicability', () => {
  test('carries the three rules and refuses a bad one by name', () => {
    const rules = { prerequisites: rule.true, isInstallable: rule.false, isInstalled: rule.unknown };
    assert.deepEqual(UpdateApplicability.parse(rules), rules);
    const result = UpdateApplicability.safeParse({ ...rules, isInstalled: { nope: {} } });
    assert.equal(result.success, false);
    assert.deepEqual(result.error!.issues.map((i) => i.path), [['isInstalled']]);
  });
});

describe('topic 500 state ids', () => {
  test('numbered as administrators know them, both ways', () => {
    assert.equal(DETECTION_TOPIC, 500);
    assert.deepEqual(detectionStateIds, { Unknown: 0, 'Not Required': 1, Required: 2, Installed: 3 });
    assert.deepEqual([0, 1, 2, 3, 4].map(detectionStateOfId), ['Unknown', 'Not Required', 'Required', 'Installed', undefined]);
  });
});
