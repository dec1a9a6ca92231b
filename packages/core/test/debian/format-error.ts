import assert from 'node:assert/strict';
import { DebianFormatError } from '../../src/debian/errors.ts';

/** `run` must throw a DebianFormatError with this message (exact or pattern) and, if given, line. */
export function assertFormatError(run: () => unknown, message: string | RegExp, line?: number): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof DebianFormatError, `expected a DebianFormatError, got ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    if (line !== undefined) assert.equal(e.line, line);
    return true;
  });
}
