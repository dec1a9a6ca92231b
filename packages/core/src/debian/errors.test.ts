import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DebianFormatError, quote } from './errors.ts';

describe('DebianFormatError', () => {
  it('puts the location in front of the problem, in a fixed order', () => {
    const error = new DebianFormatError('revision number is empty in "1.0-"', { field: 'Version', packageName: 'openssl', line: 12 });
    assert.equal(error.message, 'line 12, package "openssl", field Version: revision number is empty in "1.0-"');
    assert.equal(error.problem, 'revision number is empty in "1.0-"');
    assert.deepEqual([error.line, error.packageName, error.field], [12, 'openssl', 'Version']);
    assert.equal(error.name, 'DebianFormatError');
    assert.ok(error instanceof Error);
  });

  it('leaves out what it does not know', () => {
    assert.equal(new DebianFormatError('not signed: no OpenPGP cleartext signature').message, 'not signed: no OpenPGP cleartext signature');
    assert.equal(new DebianFormatError('x', { line: 3 }).message, 'line 3: x');
    assert.equal(new DebianFormatError('x', { field: 'Date' }).message, 'field Date: x');
  });
});

describe('quote', () => {
  it('escapes control characters so a value cannot forge log lines', () => {
    assert.equal(quote('a\nb\u001b[0m'), '"a\\nb\\u001b[0m"');
  });

  it('shortens long values', () => {
    const quoted = quote('x'.repeat(10_000));
    assert.ok(quoted.length < 100);
    assert.ok(quoted.endsWith('…"'));
  });
});
