import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { ContentLibrary, ContentRejected } from './content-library.ts';

const root = mkdtempSync(join(tmpdir(), 'patchday-content-'));
after(() => rmSync(root, { recursive: true, force: true }));
const library = new ContentLibrary(root);

const bytes = Buffer.from('Package: libssl3\nVersion: 3.0.22-1~deb12u2\n'.repeat(1000));
const sha256 = createHash('sha256').update(bytes).digest('hex');
/** The bytes in chunks, as a download delivers them. */
const stream = (data: Buffer) => Readable.from([data.subarray(0, 1000), data.subarray(1000, 5000), data.subarray(5000)]);
const everything = () => readdirSync(root, { recursive: true }).map(String).sort();

test('a verified file is stored once, under its sha256, whatever it came in', async () => {
  assert.deepEqual(await library.put(stream(bytes), { sha256, size: bytes.length }), { sha256, stored: true });
  assert.deepEqual(await library.put(stream(bytes), { sha256, size: bytes.length }), { sha256, stored: false });
  assert.equal(await library.has(sha256), true);
  assert.deepEqual(readFileSync(library.pathOf(sha256)), bytes);
  assert.deepEqual(everything().filter((p) => p.startsWith('sha256/')), ['sha256/' + sha256.slice(0, 2), `sha256/${sha256.slice(0, 2)}/${sha256}`]);
  const tail: Buffer[] = [];
  for await (const chunk of library.read(sha256, bytes.length - 10)) tail.push(chunk as Buffer);
  assert.deepEqual(Buffer.concat(tail), bytes.subarray(bytes.length - 10), 'reads resume from an offset');
});

test('a file that differs from its signed metadata is refused with the reason, and nothing of it stays', async () => {
  const before = everything();
  const tampered = Buffer.from(bytes);
  tampered[100] ^= 1;
  const otherSha = createHash('sha256').update(tampered).digest('hex');
  await assert.rejects(library.put(stream(tampered), { sha256: createHash('sha256').update('x').digest('hex'), size: tampered.length }), (e: Error) => e instanceof ContentRejected && e.message.includes(`sha256 is ${otherSha}`));
  await assert.rejects(library.put(stream(bytes), { sha256, size: bytes.length - 1 }), /larger than/);
  await assert.rejects(library.put(stream(bytes.subarray(0, 10)), { sha256, size: bytes.length }), /has 10 bytes; its metadata says/);
  assert.deepEqual(everything(), before);
});

test('names that are not a sha256 are refused before touching the disk (no path tricks)', async () => {
  for (const name of ['../../etc/passwd', 'AB'.repeat(32), `${sha256}/..`, '']) {
    assert.throws(() => library.pathOf(name), ContentRejected);
    await assert.rejects(library.put(stream(bytes), { sha256: name, size: bytes.length }), ContentRejected);
  }
});

test('removing a file and clearing what a crash left behind', async () => {
  await library.remove(sha256);
  assert.equal(await library.has(sha256), false);
  await library.clearIncoming();
  assert.equal(everything().some((p) => p.startsWith('incoming')), false);
});
