import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { LoginResponse } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { CliError, ExitCode } from '../cli-error.ts';
import { storeToken } from '../credentials.ts';
import { printJson } from '../output.ts';
import { readSecret } from '../prompt.ts';

export function registerLoginCommand(program: Command): void {
  program
    .command('whoami')
    .description('who the stored token (or PATCHDAY_TOKEN) belongs to')
    .option('--json', 'JSON output')
    .action(async (options: { json?: boolean }) => {
      const me = await new ApiClient().get<{ username: string; role: string }>('/auth/whoami');
      if (options.json) return printJson(me);
      process.stdout.write(`${me.username} (${me.role}) on ${new ApiClient().server}\n`);
    });

  program
    .command('logout')
    .description('end this session on the site (the token stops working)')
    .action(async () => {
      await new ApiClient().post('/auth/logout', {});
      process.stdout.write('Logged out\n');
    });

  program
    .command('login')
    .description('log in to the site (PATCHDAY_SERVER) and keep the token for later commands')
    .requiredOption('--user <username>', 'administrator name')
    .option('--password-file <file>', 'read the password from this file (first line) instead of asking')
    .option('--json', 'print {"token": …} on stdout')
    .action(async (options: { user: string; passwordFile?: string; json?: boolean }) => {
      let password: string;
      if (options.passwordFile) {
        try {
          password = readFileSync(options.passwordFile, 'utf8').split('\n')[0].trim();
        } catch (error) {
          throw new CliError(`cannot read ${options.passwordFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.usage);
        }
      } else {
        password = await readSecret(`Password for ${options.user}: `);
      }
      const client = new ApiClient(undefined, '');
      const response = await client.post<LoginResponse>('/auth/login', { username: options.user, password, tokenName: 'patchday login' });
      const file = storeToken(client.server, response.token);
      if (options.json) printJson({ token: response.token, expiresAt: response.expiresAt, user: response.user });
      else process.stdout.write(`Logged in to ${client.server} as ${response.user.username} (${response.user.role}); token kept in ${file} until ${response.expiresAt}\n`);
    });
}
