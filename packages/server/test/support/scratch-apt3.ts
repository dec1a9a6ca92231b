import { startArchiveServer } from './archive-server.ts';
import { createAptSandbox } from './apt-sandbox.ts';
const D = '/work/shared/data';
const server = await startArchiveServer(`${D}/debian-archive-2026-11-24`);
const sb = await createAptSandbox({
  sources: [
    { url: `${server.url}/debian-security`, suites: ['bookworm-security'], keyring: `${D}/keyrings/debian-archive-keyring.gpg` },
  ],
  config: { 'Acquire::By-Hash': 'yes' },
});
const u = await sb.update({ allowFailure: true });
console.log(u.exitCode, u.errors, u.warnings);
console.log(server.requests.map(r => `${r.path} ${r.status}`));
server.requests.length = 0;
await sb.update();
console.log(server.requests.map(r => [r.path, r.status, r.headers]));
await sb.dispose();
await server.close();
