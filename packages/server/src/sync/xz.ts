import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DecompressLimits {
  /** Largest decompressed size accepted. */
  maxBytes: number;
  /** Largest decompressed/compressed ratio accepted (xz bombs compress zeros ~ 1000:1). */
  maxRatio: number;
}

/**
 * Decompresses into a temporary file with Debian's own `xz` (measured faster than the WebAssembly decoder on this
 * hardware). `xz` writes through `head -c` straight into a temporary file: the bound is enforced by
 * `head` however busy this thread is (a bomb or endless stream stops at the limit), and `xz` never
 * waits for this thread to drain a pipe, so it decompresses one suite while this thread parses another.
 */
export interface DecompressedFile {
  size: number;
  read(): Buffer;
  dispose(): void;
}

/** The result stays in the file until the caller has room to read it (and then disposes of it). */
export async function xzDecompressToFile(input: Buffer, limits: DecompressLimits): Promise<DecompressedFile> {
  const bound = Math.min(limits.maxBytes, Math.max(input.length, 1) * limits.maxRatio);
  const file = join(tmpdir(), `patchday-xz-${process.pid}-${randomBytes(6).toString('hex')}`);
  const out = openSync(file, 'wx', 0o600);
  let kept = false;
  try {
    const xz = spawn('xz', ['--decompress', '--stdout', '--single-stream', '--threads=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const head = spawn('head', ['-c', String(bound + 1)], { stdio: [xz.stdout, out, 'ignore'] });
    // head has its own copy of the pipe now; ours would only keep it open.
    xz.stdout.destroy();
    let stderr = '';
    xz.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    xz.stdin.on('error', () => {
      /* xz exits early on corrupt input; its exit code carries the reason */
    });
    const exited = (child: ReturnType<typeof spawn>) =>
      new Promise<number | null>((resolve, reject) => {
        child.once('error', (error) => reject(new Error(`cannot run ${child.spawnfile}: ${error.message}`)));
        child.once('exit', (code) => resolve(code));
      });
    const done = Promise.all([exited(xz), exited(head)]);
    xz.stdin.end(input);
    const [xzCode, headCode] = await done;
    const size = statSync(file).size;
    if (size > bound) {
      throw new Error(
        size > limits.maxBytes ? `decompressed index exceeds ${limits.maxBytes} bytes` : `decompression ratio exceeds ${limits.maxRatio}:1 (${input.length} compressed bytes)`,
      );
    }
    if (xzCode !== 0) throw new Error(`corrupt or truncated xz data (${stderr.replace(/^xz: \(stdin\): /, '').trim() || `xz exit code ${xzCode}`})`);
    if (headCode !== 0) throw new Error(`writing the decompressed index failed (head exit code ${headCode})`);
    kept = true;
    return { size, read: () => readFileSync(file), dispose: () => unlinkSync(file) };
  } finally {
    closeSync(out);
    if (!kept) unlinkSync(file);
  }
}
