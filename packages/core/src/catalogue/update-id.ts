import { parse, v5 as uuidv5 } from 'uuid';

/**
 * Fixed namespace of Patchday's deterministic update ids. Never change it: two sites that sync
 * the same archive must agree on every updateId.
 */
export const PATCHDAY_UPDATE_NAMESPACE = '6f1e2c4a-9b0d-5d3e-8a71-3c2b1f0e9d84';

// Parsed once: a sync computes tens of thousands of ids.
const namespaceBytes = parse(PATCHDAY_UPDATE_NAMESPACE);
const utf8 = new TextEncoder();

/** updateId of a Debian source upload in one suite of one product. */
export function debianUpdateId(product: string, suite: string, source: string, version: string): string {
  return uuidv5(utf8.encode(`debian\n${product}\n${suite}\n${source}\n${version}`), namespaceBytes);
}
