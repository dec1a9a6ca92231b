/**
 * Why `path` cannot be used as a path relative to an archive root (a Packages `Filename`
 * or a Release checksum entry), or undefined when it is safe. These paths end up in URLs
 * and on disk in content libraries, so anything that could step outside the root or be
 * read differently by another component is refused: absolute paths, `..` and `.`
 * segments, empty segments, backslashes, NUL and other control characters.
 */
export function archivePathProblem(path: string): string | undefined {
  if (path === '') return 'path is empty';
  if (path.charCodeAt(0) === 47 /* / */) return 'path is absolute';
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 92 /* \ */) return 'path contains a backslash';
    if (c === 0) return 'path contains a NUL character';
    if (c < 32 || c === 127) return 'path contains a control character';
  }
  let start = 0;
  for (;;) {
    const slash = path.indexOf('/', start);
    const end = slash === -1 ? path.length : slash;
    if (end === start) return 'path has an empty segment';
    if (end - start === 2 && path.startsWith('..', start)) return 'path has a ".." segment';
    if (end - start === 1 && path.charCodeAt(start) === 46 /* . */) return 'path has a "." segment';
    if (slash === -1) return undefined;
    start = slash + 1;
  }
}
