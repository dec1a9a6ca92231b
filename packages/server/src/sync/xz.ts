import { spawn } from 'node:child_process';

export interface DecompressLimits {
  /** Largest decompressed size accepted. */
  maxBytes: number;
  /** Largest decompressed/compressed ratio accepted (xz bombs compress zeros ~ 1000:1). */
  maxRatio: number;
}

/**
 * Decompresses with Debian's own `xz` (measured faster than the WebAssembly decoder on this
 * hardware, and it runs on the other core while this one parses). Output is bounded: the child
 * is killed as soon as it exceeds the size or ratio limit, so a bomb or endless stream costs nothing.
 */
export function xzDecompress(input: Buffer, limits: DecompressLimits): Promise<Buffer> {
  const bound = Math.min(limits.maxBytes, Math.max(input.length, 1) * limits.maxRatio);
  return new Promise((resolve, reject) => {
    const child = spawn('xz', ['--decompress', '--stdout', '--single-stream', '--threads=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let total = 0;
    let stderr = '';
    let refused: Error | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      if (refused) return;
      total += chunk.length;
      if (total > bound) {
        refused = new Error(
          total > limits.maxBytes
            ? `decompressed index exceeds ${limits.maxBytes} bytes`
            : `decompression ratio exceeds ${limits.maxRatio}:1 (${input.length} compressed bytes)`,
        );
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    child.on('error', (error) => reject(new Error(`cannot run xz: ${error.message}`)));
    child.on('close', (code) => {
      if (refused) reject(refused);
      else if (code !== 0) reject(new Error(`corrupt or truncated xz data (${stderr.replace(/^xz: \(stdin\): /, '').trim() || `xz exit code ${code}`})`));
      else resolve(Buffer.concat(chunks, total));
    });
    child.stdin.on('error', () => {
      /* xz exits early on corrupt input; its exit code carries the reason */
    });
    child.stdin.end(input);
  });
}
