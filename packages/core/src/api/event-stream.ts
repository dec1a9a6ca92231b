/**
 * Server-sent events from text chunks, as the site's `GET /api/v1/events` sends them (the subset of
 * the format it uses: `event:` and `data:` lines, comments, blank-line separated). EventSource cannot
 * send an Authorization header, so the console reads the stream with fetch and parses it here; the
 * site's tests read it the same way.
 */
export interface StreamEvent {
  event: string;
  data: string;
}

export class EventStreamParser {
  private buffer = '';

  /** The complete events in what has arrived so far (a partial one waits for the next chunk). */
  push(chunk: string): StreamEvent[] {
    this.buffer += chunk.replace(/\r\n?/g, '\n');
    const out: StreamEvent[] = [];
    let cut: number;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0 || event !== 'message') out.push({ event, data: data.join('\n') });
    }
    return out;
  }
}
