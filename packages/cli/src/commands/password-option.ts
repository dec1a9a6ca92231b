import { readFileSync } from 'node:fs';
import { CliError, ExitCode } from '../cli-error.ts';
import { readSecret } from '../prompt.ts';

export async function readPasswordOption(file: string | undefined, question: string): Promise<string> {
  if (!file) return readSecret(question);
  try {
    return readFileSync(file, 'utf8').split('\n')[0].trim();
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.usage);
  }
}
