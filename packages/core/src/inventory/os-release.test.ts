import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inventoryOsOf, parseOsRelease } from './os-release.ts';

// /etc/os-release of Debian 12 as shipped (base-files 12.4+deb12u11).
const BOOKWORM = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

// Debian unstable has no VERSION_ID.
const SID = `PRETTY_NAME="Debian GNU/Linux trixie/sid"
NAME="Debian GNU/Linux"
VERSION_CODENAME=trixie
ID=debian
`;

const UBUNTU = `NAME="Ubuntu"
VERSION="24.04.1 LTS (Noble Numbat)"
ID=ubuntu
ID_LIKE=debian
VERSION_ID="24.04"
VERSION_CODENAME=noble
`;

describe('parseOsRelease', () => {
  test('a real Debian 12 file', () => {
    const fields = parseOsRelease(BOOKWORM);
    assert.equal(fields.PRETTY_NAME, 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(fields.VERSION_ID, '12');
    assert.equal(fields.VERSION_CODENAME, 'bookworm');
    assert.equal(fields.ID, 'debian');
    assert.equal(Object.keys(fields).length, 9);
  });

  test('quotes and escapes as os-release(5) and the shell have them', () => {
    const fields = parseOsRelease(
      [
        'A="say \\"hi\\" for \\$5 \\\\ \\`x\\`"',
        "B='single $quoted \\n stays'",
        'C=plain',
        'D=""',
        'E="a \\n b"',
      ].join('\n'),
    );
    assert.deepEqual(fields, { A: 'say "hi" for $5 \\ `x`', B: 'single $quoted \\n stays', C: 'plain', D: '', E: 'a \\n b' });
  });

  test('comments, blank lines, CRLF and surrounding blanks are skipped', () => {
    assert.deepEqual(parseOsRelease('# comment\r\n\r\n  ID=debian  \r\n\tVERSION_ID="12"\r\n'), { ID: 'debian', VERSION_ID: '12' });
  });

  test('lines that are not valid assignments are skipped, the rest kept', () => {
    const fields = parseOsRelease(['ID=debian', 'not an assignment', 'X="unterminated', "Y='also", 'Z=two words', '1ABC=digit first', 'W="trailing"junk', 'VERSION_ID=12'].join('\n'));
    assert.deepEqual(fields, { ID: 'debian', VERSION_ID: '12' });
  });

  test('a later assignment wins, as when the shell sources the file', () => {
    assert.deepEqual(parseOsRelease('ID=debian\nID=raspbian\n'), { ID: 'raspbian' });
  });
});

describe('inventoryOsOf', () => {
  test('family, version and codename from os-release, architecture from dpkg', () => {
    assert.deepEqual(inventoryOsOf(parseOsRelease(BOOKWORM), 'amd64'), { family: 'debian', versionId: '12', codename: 'bookworm', architecture: 'amd64' });
    // A derivative keeps its own identity: ID_LIKE=debian does not make it Debian.
    assert.deepEqual(inventoryOsOf(parseOsRelease(UBUNTU), 'arm64'), { family: 'ubuntu', versionId: '24.04', codename: 'noble', architecture: 'arm64' });
  });

  test('what the file lacks stays unknown; a file without ID is "linux"', () => {
    assert.deepEqual(inventoryOsOf(parseOsRelease(SID), null), { family: 'debian', versionId: null, codename: 'trixie', architecture: null });
    assert.deepEqual(inventoryOsOf(parseOsRelease('NAME=Linux\n'), 'amd64'), { family: 'linux', versionId: null, codename: null, architecture: 'amd64' });
  });
});
