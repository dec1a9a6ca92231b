import { EventEmitter } from 'node:events';
import type { SiteEventKind } from '@patchday/core';

export type SiteEventListener = (kind: SiteEventKind) => void;

/**
 * The site's in-process announcement of committed changes, by kind (core's `siteEventKinds`). Whoever
 * changes something announces it after it is committed; the console's event stream
 * (`events-route.ts`) and the fleet summary's cache listen. Announcing costs a function call per
 * listener, so hot paths (state-message ingest, download progress) may announce freely.
 */
export class SiteEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  announce(kind: SiteEventKind): void {
    this.emitter.emit('change', kind);
  }

  /** Calls `listener` on every announcement until the returned function is called. */
  listen(listener: SiteEventListener): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
