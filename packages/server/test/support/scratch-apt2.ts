import { startArchiveServer } from './archive-server.ts';
import { createAptSandbox } from './apt-sandbox.ts';
const D = '/work/shared/data';
const server = await startArchiveServer(`${D}/debian-archive-2026-11-24`);
const sb = await createAptSandbox({
  sources: [
    { url: `${server.url}/debian`, suites: ['bookworm', 'bookworm-updates'], keyring: `${D}/keyrings/debian-archive-keyring.gpg` },
    { url: `${server.url}/debian-security`, suites: ['bookworm-security'], keyring: `${D}/keyrings/debian-archive-keyring.gpg` },
  ],
  statusFile: `${D}/dpkg-status/bookworm-node-image.status`,
});
await sb.update();
const s = await sb.simulateDistUpgrade();
const lines = s.stdout.split('\n').filter(l => l.startsWith('Inst'));
console.log(lines.length);
console.log(lines.filter(l => !/^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+) (.*?)\)(?: \[[^\]]*\])?$/.test(l)));
console.log(s.stdout.split('\n').filter(l => !/^(Inst|Conf) /.test(l)).join('\n'));
await sb.dispose();
await server.close();
