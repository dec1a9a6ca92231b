const CH_NUL = 0;
const CH_SPACE = 32;
const CH_DOT = 46;
const CH_SLASH = 47;
const CH_BACKSLASH = 92;
const CH_DEL = 127;

/**
 * Why `path` cannot be used as a path relative to an archive root (a Packages `Filename`
 * or a Release checksum entry), or undefined when it is safe. These paths end up in URLs
 * and on disk in content libraries, so anything that could step outside the root or be
 * read differently by another component is refused: absolute paths, `..` and `.`
 * segments, empty segments, backslashes, NUL and other control characters.
 *
 * One pass over the characters: it runs for every stanza of a 60,000-stanza index.
 */
export function archivePathProblem(path: string): string | undefined {
  if (path === '') return 'path is empty';
  if (path.charCodeAt(0) === CH_SLASH) return 'path is absolute';
  let segmentStart = 0;
  let dots = 0;
  for (let i = 0; i <= path.length; i++) {
    const c = i === path.length ? CH_SLASH : path.charCodeAt(i);
    if (c === CH_SLASH) {
      const segmentLength = i - segmentStart;
      if (segmentLength === 0) return 'path has an empty segment';
      if (dots === segmentLength && segmentLength <= 2) return segmentLength === 1 ? 'path has a "." segment' : 'path has a ".." segment';
      segmentStart = i + 1;
      dots = 0;
    } else if (c === CH_DOT) {
      dots++;
    } else if (c === CH_BACKSLASH) {
      return 'path contains a backslash';
    } else if (c === CH_NUL) {
      return 'path contains a NUL character';
    } else if (c < CH_SPACE || c === CH_DEL) {
      return 'path contains a control character';
    }
  }
  return undefined;
}
