import type { Command } from 'commander';
import type { User } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { printJson, printTable } from '../output.ts';
import { readPasswordOption } from './password-option.ts';

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('administrators and their roles');

  users
    .command('list')
    .option('--json', 'JSON output')
    .action(async (options: { json?: boolean }) => {
      const { users: list } = await new ApiClient().get<{ users: User[] }>('/users');
      if (options.json) return printJson(list);
      printTable(['USERNAME', 'ROLE', 'CREATED', 'DISABLED'], list.map((u) => [u.username, u.role, u.createdAt, u.disabled ? 'yes' : '']));
    });

  users
    .command('add <username>')
    .description('create an administrator')
    .requiredOption('--role <role>', '"Full Administrator", "Software Update Manager" or "Read-only Analyst"')
    .option('--password-file <file>', 'read the password from this file instead of asking')
    .option('--json', 'JSON output')
    .action(async (username: string, options: { role: string; passwordFile?: string; json?: boolean }) => {
      const password = await readPasswordOption(options.passwordFile, `Password for ${username}: `);
      const user = await new ApiClient().post<User>('/users', { username, password, role: options.role });
      if (options.json) return printJson(user);
      process.stdout.write(`Created ${user.username} (${user.role})\n`);
    });

  users
    .command('passwd <username>')
    .description('change a password (your own, or anyone\'s as Full Administrator)')
    .option('--password-file <file>', 'read the new password from this file instead of asking')
    .option('--current-password-file <file>', 'your current password (needed for your own account), instead of asking')
    .action(async (username: string, options: { passwordFile?: string; currentPasswordFile?: string }) => {
      const client = new ApiClient();
      const me = await client.get<{ username: string }>('/auth/whoami');
      const currentPassword = me.username === username ? await readPasswordOption(options.currentPasswordFile, 'Current password: ') : undefined;
      const password = await readPasswordOption(options.passwordFile, `New password for ${username}: `);
      await client.put(`/users/${encodeURIComponent(username)}/password`, { password, currentPassword });
      process.stdout.write(`Password of ${username} changed; its other sessions were logged out\n`);
    });

  users
    .command('remove <username>')
    .action(async (username: string) => {
      await new ApiClient().delete(`/users/${encodeURIComponent(username)}`);
      process.stdout.write(`Removed ${username}\n`);
    });
}
