import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { archivePathProblem } from './archive-path.ts';

describe('archivePathProblem', () => {
  it('accepts the relative paths archives use', () => {
    for (const path of [
      'pool/main/o/openssl/openssl_3.0.17-1~deb12u3_amd64.deb',
      'main/binary-amd64/Packages.xz',
      'contrib/Contents-amd64.diff/Index',
      'main/i18n/Translation-en.bz2',
      'pool/main/a/a..b/.hidden',
      'pool/...',
      'x',
    ]) {
      assert.equal(archivePathProblem(path), undefined, path);
    }
  });

  it('refuses anything that could escape the archive root or be read two ways', () => {
    const cases: Array<[string, string]> = [
      ['', 'path is empty'],
      ['/etc/passwd', 'path is absolute'],
      ['..', 'path has a ".." segment'],
      ['../x', 'path has a ".." segment'],
      ['a/../../x', 'path has a ".." segment'],
      ['a/..', 'path has a ".." segment'],
      ['.', 'path has a "." segment'],
      ['./a', 'path has a "." segment'],
      ['a/./b', 'path has a "." segment'],
      ['a//b', 'path has an empty segment'],
      ['a/', 'path has an empty segment'],
      ['a\\..\\b', 'path contains a backslash'],
      ['a\0b', 'path contains a NUL character'],
      ['a\nb', 'path contains a control character'],
      ['a\u007fb', 'path contains a control character'],
    ];
    for (const [path, problem] of cases) assert.equal(archivePathProblem(path), problem, JSON.stringify(path));
  });
});
