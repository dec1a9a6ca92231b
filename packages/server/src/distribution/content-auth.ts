import { z } from 'zod';
import { HttpError, parseInput } from '../http/http-error.ts';
import { verifyContentToken } from './content-token.ts';

const Sha256Param = z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a file is named by its sha256: 64 lower-case hex digits') });

/**
 * The checks every distribution point makes before serving a file: a content token signed with
 * the site's key and not expired, and a path that names a sha256. Returns the sha256.
 */
export function authoriseContent(authorization: string | undefined, sha256: unknown, key: Buffer | null, now: Date): string {
  const match = /^Bearer (\S+)$/.exec(authorization ?? '');
  if (!match) throw new HttpError(401, 'a content token is required: send "Authorization: Bearer <contentToken>" from the client\'s policy');
  if (!key) throw new HttpError(503, 'this distribution point has not yet received its site\'s content-token key; try the next distribution point');
  const check = verifyContentToken(key, match[1], now);
  if (!check.ok) throw new HttpError(401, check.reason);
  return parseInput(Sha256Param, { sha256 }, 'path').sha256;
}
