import { startArchiveServer } from './archive-server.ts';
import { createAptSandbox } from './apt-sandbox.ts';
const D = '/work/shared/data';
const server = await startArchiveServer(`${D}/debian-archive-2026-11-24`);
const six = process.argv[2] === 'six';
const sb = await createAptSandbox({
  sources: [
    { url: `${server.url}/debian`, suites: six ? ['bookworm', 'bookworm-updates', 'trixie', 'trixie-updates'] : ['bookworm', 'bookworm-updates'], keyring: `${D}/keyrings/debian-archive-keyring.gpg` },
    { url: `${server.url}/debian-security`, suites: six ? ['bookworm-security', 'trixie-security'] : ['bookworm-security'], keyring: `${D}/keyrings/debian-archive-keyring.gpg` },
  ],
  arch: 'amd64',
  statusFile: `${D}/dpkg-status/bookworm-node-image.status`,
});
const u = await sb.update({ allowFailure: true });
console.log('update', u.exitCode, Math.round(u.ms), 'ms', u.errors, u.warnings);
console.log(u.stdout);
console.log(server.requests.map(r => `${r.method} ${r.path} ${r.status} ${r.conditional}`).join('\n'));
if (!six) {
  const s = await sb.simulateDistUpgrade();
  console.log('sim', Math.round(s.ms), s.summary, s.upgrades.length, s.installs, s.removals);
  console.log(s.upgrades.slice(0, 3));
  server.requests.length = 0;
  const u2 = await sb.update();
  console.log('update2', Math.round(u2.ms), server.requests.map(r => `${r.path} ${r.status} ${r.conditional}`));
}
await sb.dispose();
await server.close();
