import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { evaluateRule } from './evaluate.ts';
import { ApplicabilityRule, DeliveredRule, MAX_RULE_DEPTH, MAX_RULE_NODES, ruleBoundsProblem } from './rule.ts';

/** The administrator's view of a refusal: each problem with where it is. */
function problems(value: unknown): string[] {
  const result = ApplicabilityRule.safeParse(value);
  assert.equal(result.success, false, 'the rule should be refused');
  return result.error!.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).sort();
}

const fact = { fact: { key: 'role', equals: 'web' } };

function nested(depth: number): unknown {
  let rule: unknown = fact;
  for (let i = 1; i < depth; i++) rule = { not: rule };
  return rule;
}

describe('ApplicabilityRule accepts the §4 language', () => {
  test('operators and every condition kind, returned as given', () => {
    const rule = {
      and: [
        { os: { family: 'debian', versionId: '12', versionRange: { min: '12', max: '12.99' }, architecture: 'amd64' } },
        { or: [{ dpkg: { package: 'libssl3', architecture: 'amd64', version: { op: 'lt', value: '3.0.17-1~deb12u3' } } }, { dpkg: { package: 'openssl', installed: false } }] },
        { not: { file: { path: '/etc/patchday/skip', exists: true, size: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' } } },
        { command: { argv: ['/usr/bin/test', '-x', '/opt/app/bin/app'], timeoutSeconds: 10, exitCode: 0 } },
        { fact: { key: 'hostname', matches: '^web-\\d+$' } },
        { and: [] },
      ],
    };
    assert.deepEqual(ApplicabilityRule.parse(rule), rule);
  });

  test('a rule exactly at the bounds is accepted', () => {
    assert.equal(ApplicabilityRule.safeParse(nested(MAX_RULE_DEPTH)).success, true);
    const wide = { or: Array.from({ length: MAX_RULE_NODES - 1 }, () => fact) };
    assert.equal(ApplicabilityRule.safeParse(wide).success, true);
  });
});

describe('ApplicabilityRule refuses, saying what and where', () => {
  test('an unknown kind, two kinds in one node, and non-objects', () => {
    assert.deepEqual(problems({ and: [fact, { dpgk: { package: 'libssl3' } }] }), [
      'and.1: unknown rule kind "dpgk" (expected one of and, or, not, os, dpkg, file, command, fact)',
    ]);
    assert.deepEqual(problems({ os: { family: 'debian' }, fact: fact.fact }), ['a rule has exactly one key (one of and, or, not, os, dpkg, file, command, fact), not 2']);
    assert.deepEqual(problems({ or: ['libssl3'] }), ['or.0: a rule is an object such as {"and": [...]} or {"dpkg": {...}}']);
    assert.deepEqual(problems({ and: fact }), ['and: "and" takes an array of rules']);
  });

  test('bad fields deep inside a rule, each with its path', () => {
    assert.deepEqual(problems({ and: [{ not: { dpkg: { package: 'x', version: { op: 'lessthan', value: '1.0-' } } } }] }), [
      'and.0.not.dpkg.package: "x" is not a Debian package name',
      'and.0.not.dpkg.version.op: Invalid option: expected one of "lt"|"le"|"eq"|"ge"|"gt"',
      'and.0.not.dpkg.version.value: "1.0-" is not a version dpkg accepts',
    ]);
    assert.deepEqual(problems({ dpkg: { package: 'openssl', pakage: 'typo' } }), ['dpkg: Unrecognized key: "pakage"']);
  });

  test('conditions that cannot mean anything', () => {
    assert.deepEqual(problems({ os: {} }), ['os: an os condition needs at least one of family, versionId, versionRange, architecture']);
    assert.deepEqual(problems({ os: { versionRange: {} } }), ['os.versionRange: a version range needs min, max or both']);
    assert.deepEqual(problems({ dpkg: { package: 'openssl', installed: false, version: { op: 'ge', value: '3.0' } } }), [
      'dpkg: a version comparison needs an installed package, not installed: false',
    ]);
    assert.deepEqual(problems({ file: { path: '/etc/x', exists: false, size: 3 } }), ['file: a file that must not exist has no sha256 or size']);
    assert.deepEqual(problems({ fact: { key: 'role' } }), ['fact: a fact condition needs equals, matches or both']);
    assert.deepEqual(problems({ fact: { key: 'role', matches: '(web' } }), ['fact.matches: "(web" is not a valid regular expression']);
    assert.deepEqual(problems({ dpkg: { package: 'openssl', architecture: 'AMD64' } }), ['dpkg.architecture: an architecture is a dpkg architecture name such as amd64 or all']);
  });

  test('file paths must be absolute and stay where they say', () => {
    for (const path of ['etc/passwd', '/etc/../root/.ssh/id_rsa', '/etc/x\0y']) {
      assert.deepEqual(problems({ file: { path } }), ['file.path: a path must be absolute, without NUL or ".." segments'], path);
    }
    assert.deepEqual(problems({ file: { path: '/x', sha256: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' } }), ['file.sha256: a sha256 is 64 lowercase hex digits']);
  });

  test('a command needs a program and a timeout', () => {
    assert.deepEqual(problems({ command: { argv: [], timeoutSeconds: 5 } }), ['command.argv: Too small: expected array to have >=1 items']);
    assert.deepEqual(problems({ command: { argv: ['/bin/true'] } }), ['command.timeoutSeconds: Invalid input: expected number, received undefined']);
    assert.deepEqual(problems({ command: { argv: ['/bin/true'], timeoutSeconds: 86_400 } }), ['command.timeoutSeconds: Too big: expected number to be <=3600']);
  });

  test('a rule nested one level too deep, without walking it all on the stack', () => {
    assert.deepEqual(problems(nested(MAX_RULE_DEPTH + 1)).map((p) => p.replace(/^[a-z.]+: /, '')), [`a rule may nest at most ${MAX_RULE_DEPTH} levels deep`]);
    // A hostile rule a million levels deep is refused as fast, instead of overflowing the stack.
    const started = performance.now();
    assert.equal(ApplicabilityRule.safeParse(nested(1_000_000)).success, false);
    assert.ok(performance.now() - started < 1000);
  });

  test('a rule with one node too many', () => {
    const wide = { or: Array.from({ length: MAX_RULE_NODES }, () => fact) };
    assert.deepEqual(problems(wide), [`a rule may have at most ${MAX_RULE_NODES} conditions and operators`]);
    assert.match(z.prettifyError(ApplicabilityRule.safeParse(wide).error!), /at most 10000 conditions and operators/);
  });
});

describe('ruleBoundsProblem', () => {
  test('counts a subtree each time it is reached, so shared and cyclic rules stay bounded', () => {
    const shared: { and: unknown[] } = { and: [] };
    let rule: unknown = fact;
    // 20 levels that each reference the level below twice: 2^20 nodes when expanded.
    for (let i = 0; i < 20; i++) rule = { or: [rule, rule] };
    assert.equal(ruleBoundsProblem(rule), `a rule may have at most ${MAX_RULE_NODES} conditions and operators`);
    shared.and.push(shared);
    assert.match(ruleBoundsProblem(shared) ?? '', /at most/);
    assert.equal(ruleBoundsProblem(nested(MAX_RULE_DEPTH)), undefined);
  });
});

test('a delivered rule is checked against the bounds only: a malformed one passes and evaluates unknown, one beyond the bounds is refused', () => {
  const malformed = { dpkg: { package: 42 } };
  assert.equal(DeliveredRule.safeParse(malformed).success, true);
  assert.equal(evaluateRule(malformed as never, { os: { family: 'debian', versionId: '12', codename: null, architecture: 'amd64' }, dpkg: {}, facts: {} }), 'unknown');
  const huge = { or: Array.from({ length: 10_001 }, () => ({ os: { family: 'debian' } })) };
  const refused = DeliveredRule.safeParse(huge);
  assert.equal(refused.success, false);
  assert.match(refused.error!.issues[0].message, /at most 10000/);
});
