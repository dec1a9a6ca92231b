import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DebianFormatError } from './errors.ts';
import { parseReleaseDate } from './release-date.ts';

describe('parseReleaseDate', () => {
  it('reads the forms archives write', () => {
    assert.equal(parseReleaseDate('Sat, 11 Jul 2026 10:16:37 UTC').toISOString(), '2026-07-11T10:16:37.000Z');
    assert.equal(parseReleaseDate('Sat, 11 Jul 2026 10:16:37 GMT').toISOString(), '2026-07-11T10:16:37.000Z');
    assert.equal(parseReleaseDate('11 Jul 2026 10:16:37 UTC').toISOString(), '2026-07-11T10:16:37.000Z');
    assert.equal(parseReleaseDate('Sun, 1 Mar 2026 00:00 +0000').toISOString(), '2026-03-01T00:00:00.000Z');
    assert.equal(parseReleaseDate('sat, 11 jul 2026 12:16:37 +0200').toISOString(), '2026-07-11T10:16:37.000Z');
    assert.equal(parseReleaseDate('Fri, 10 Jul 2026 23:16:37 -1100').toISOString(), '2026-07-11T10:16:37.000Z');
    assert.equal(parseReleaseDate('Thu, 29 Feb 2024 12:00:00 UTC').toISOString(), '2024-02-29T12:00:00.000Z');
  });

  it('refuses what new Date() would have guessed at', () => {
    for (const text of [
      '',
      '2026-07-11T10:16:37Z',
      'Sat, 11 Jul 2026 10:16:37',
      'Sat, 11 Jul 2026 10:16:37 CEST',
      'Sat,  11 Jul 2026 10:16:37 UTC',
      'Sat, 11 Jul 26 10:16:37 UTC',
      'Sat, 11 Juli 2026 10:16:37 UTC',
      'Sat, 11 Jux 2026 10:16:37 UTC',
      'Xyz, 11 Jul 2026 10:16:37 UTC',
      'Fri, 11 Jul 2026 10:16:37 UTC',
      'Sat, 32 Jul 2026 10:16:37 UTC',
      'Sun, 29 Feb 2026 10:16:37 UTC',
      'Sat, 00 Jul 2026 10:16:37 UTC',
      'Sat, 11 Jul 2026 24:00:00 UTC',
      'Sat, 11 Jul 2026 10:60:00 UTC',
      'Sat, 11 Jul 2026 10:16:60 UTC',
      'Sat, 11 Jul 2026 10:16:37 +2400',
      'Sat, 11 Jul 2026 10:16:37 UTC trailing',
      'Thu, 01 Jan 1969 00:00:00 UTC',
    ]) {
      assert.throws(() => parseReleaseDate(text), DebianFormatError, text);
    }
  });
});
