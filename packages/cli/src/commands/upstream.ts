import type { Command } from 'commander';
import { DEFAULT_DEBIAN_KEYRING, type Upstream } from '@patchday/core';
import { ApiClient } from '../api-client.ts';
import { printJson, printTable } from '../output.ts';

const list = (value: string) => value.split(/[,\s]+/).filter(Boolean);

export function registerUpstreamCommands(program: Command): void {
  const upstream = program.command('upstream').description('where the update point syncs from (top-level site only)');

  upstream
    .command('add')
    .description('add an upstream: `upstream add debian --name N --url URL --suites S1,S2 …`')
    .argument('<kind>', 'upstream kind: debian')
    .requiredOption('--name <name>', 'a short name, e.g. debian or debian-security')
    .requiredOption('--url <url>', 'archive base URL, e.g. http://deb.debian.org/debian')
    .requiredOption('--suites <suites>', 'comma-separated suites, e.g. bookworm,bookworm-updates')
    .option('--arch <architectures>', 'comma-separated architectures', 'amd64')
    .option('--keyring <file>', 'OpenPGP keyring that verifies InRelease', DEFAULT_DEBIAN_KEYRING)
    .option('--allow-stale', 'accept InRelease files whose Valid-Until has passed')
    .option('--json', 'JSON output')
    .action(async (kind: string, o: { name: string; url: string; suites: string; arch: string; keyring: string; allowStale?: boolean; json?: boolean }) => {
      const created = await new ApiClient().post<Upstream>('/upstreams', {
        name: o.name,
        kind,
        url: o.url,
        suites: list(o.suites),
        architectures: list(o.arch),
        keyring: o.keyring,
        allowStale: Boolean(o.allowStale),
      });
      if (o.json) return printJson(created);
      process.stdout.write(`Added upstream ${created.name}: ${created.url} ${created.suites.join(' ')} [${created.architectures.join(',')}]\n`);
    });

  upstream
    .command('list')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      const { upstreams } = await new ApiClient().get<{ upstreams: Upstream[] }>('/upstreams');
      if (o.json) return printJson(upstreams);
      printTable(
        ['NAME', 'KIND', 'URL', 'SUITES', 'ARCH', 'KEYRING', 'STALE OK'],
        upstreams.map((u) => [u.name, u.kind, u.url, u.suites.join(','), u.architectures.join(','), u.keyring, u.allowStale ? 'yes' : 'no']),
        { maxWidth: 80 },
      );
    });

  upstream
    .command('remove <name>')
    .description('stop syncing from it (its updates stay in the catalogue as history)')
    .action(async (name: string) => {
      await new ApiClient().delete(`/upstreams/${encodeURIComponent(name)}`);
      process.stdout.write(`Removed upstream ${name}\n`);
    });
}
