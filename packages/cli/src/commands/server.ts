import type { Command } from 'commander';
import { DEFAULT_PORT, startSite } from '@patchday/server';
import { CliError, ExitCode } from '../cli-error.ts';

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run a site: the admin API on one port, SQLite by default')
    .option('--data-dir <dir>', 'database and the first administrator\'s password', process.env.PATCHDAY_DATA_DIR || './patchday-data')
    .option('--port <port>', 'HTTP port', process.env.PATCHDAY_PORT || String(DEFAULT_PORT))
    .option('--host <address>', 'address to listen on', process.env.PATCHDAY_HOST || '127.0.0.1')
    .option('--db <url>', 'postgres://user@host:port/database (default: SQLite in the data directory)', process.env.PATCHDAY_DB || undefined)
    .action(async (options: { dataDir: string; port: string; host: string; db?: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, not ${options.port}`, ExitCode.usage);
      let site;
      try {
        site = await startSite({ dataDir: options.dataDir, port, host: options.host, db: options.db });
      } catch (error) {
        throw new CliError(`the site did not start: ${(error as Error).message}`, ExitCode.failed);
      }
      process.stdout.write(`Patchday site listening on ${site.url} (store: ${site.store.kind} ${site.store.location})\n`);
      if (site.initialPasswordFile) {
        process.stdout.write(
          [
            'First start: created the Full Administrator "admin".',
            `Its one-time password is in ${site.initialPasswordFile} (readable only by you).`,
            `Log in with:  npx patchday login --user admin --password-file ${site.initialPasswordFile}`,
            'then change it:  npx patchday users passwd admin',
            '',
          ].join('\n'),
        );
      }
      const stop = async (signal: string) => {
        process.stdout.write(`${signal}: stopping the site\n`);
        await site.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
