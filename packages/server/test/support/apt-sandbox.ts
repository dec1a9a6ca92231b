/**
 * Runs the real apt, unprivileged, against a throwaway root: apt's own answer is the oracle a
 * Debian sync and scan must agree with, package for package. Nothing here reads or writes the
 * machine's /etc/apt, /var/lib/apt or /var/lib/dpkg.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface AptSource {
  /** Archive root, e.g. http://127.0.0.1:PORT/debian (no trailing slash needed). */
  url: string;
  suites: readonly string[];
  /** Binary OpenPGP keyring for signed-by; made absolute. */
  keyring: string;
  components?: readonly string[];
}

export interface AptSandboxOptions {
  sources: readonly AptSource[];
  arch?: string;
  /** dpkg status to copy in; an empty status (nothing installed) otherwise. */
  statusFile?: string;
  /** apt's default is to refuse an expired Valid-Until; snapshot tests need this off. Default false. */
  checkValidUntil?: boolean;
  /** Refuse a Release whose Date is in the future (apt's default: true). */
  checkDate?: boolean;
  /** Extra `Name "value";` settings, written to the sandbox config and passed as -o. */
  config?: Readonly<Record<string, string>>;
  /** Kill apt after this long (default 120 s). */
  timeoutMs?: number;
}

export interface AptRun {
  exitCode: number;
  ms: number;
  stdout: string;
  stderr: string;
  /** `E:` and `W:` lines from stderr (and stdout), without the prefix. */
  errors: string[];
  warnings: string[];
}

export interface AptUpgrade {
  package: string;
  from: string;
  to: string;
  /** apt's release description, e.g. "Debian-Security:12/oldstable-security [amd64]". */
  release: string;
}

export interface AptSimulation extends AptRun {
  upgrades: AptUpgrade[];
  /** Packages dist-upgrade would newly install (no installed version). */
  installs: Array<{ package: string; to: string; release: string }>;
  removals: Array<{ package: string; from: string }>;
  /** Numbers from the "N upgraded, M newly installed, K to remove and H not upgraded." line. */
  summary: { upgraded: number; newlyInstalled: number; removed: number; notUpgraded: number };
}

export interface AptSandbox {
  root: string;
  /** The sandbox's dpkg status (a copy; safe to edit). */
  statusFile: string;
  /** The file APT_CONFIG points at. */
  configFile: string;
  /**
   * The environment apt must run with. APT_CONFIG is what keeps the host's /etc/apt/apt.conf.d
   * out: apt reads that directory before it parses -o, so `-o Dir::Etc=…` alone still runs the
   * host's hooks and index targets.
   */
  env: NodeJS.ProcessEnv;
  /** `-o Name=value` pairs (ARCHITECTURE.md's list plus what keeps apt to the needed indexes). */
  aptOptions: string[];
  run(command: 'apt-get' | 'apt-cache' | 'apt', args: readonly string[], opts?: { allowFailure?: boolean }): Promise<AptRun>;
  /** `apt-get update`; throws on a non-zero exit unless allowFailure. */
  update(opts?: { allowFailure?: boolean }): Promise<AptRun>;
  simulateDistUpgrade(opts?: { allowFailure?: boolean }): Promise<AptSimulation>;
  dispose(): Promise<void>;
}

// Trailing "[pkg:arch on other:arch] [...]" groups (ordering hints) may follow; ignore them.
const INST = /^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+) ([^)]*)\)/;
const REMV = /^Remv (\S+)(?: \[([^\]]+)\])?/;
const SUMMARY = /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded\./m;

export function parseSimulation(stdout: string): Pick<AptSimulation, 'upgrades' | 'installs' | 'removals' | 'summary'> {
  const upgrades: AptUpgrade[] = [];
  const installs: AptSimulation['installs'] = [];
  const removals: AptSimulation['removals'] = [];
  for (const line of stdout.split('\n')) {
    const inst = INST.exec(line);
    if (inst) {
      const [, pkg, from, to, release] = inst as unknown as [string, string, string | undefined, string, string];
      if (from === undefined) installs.push({ package: pkg, to, release });
      else upgrades.push({ package: pkg, from, to, release });
      continue;
    }
    const remv = REMV.exec(line);
    if (remv) removals.push({ package: remv[1]!, from: remv[2] ?? '' });
  }
  const m = SUMMARY.exec(stdout);
  if (!m) throw new Error(`no summary line in apt-get -s output:\n${stdout.slice(-2000)}`);
  const summary = { upgraded: Number(m[1]), newlyInstalled: Number(m[2]), removed: Number(m[3]), notUpgraded: Number(m[4]) };
  // A line shape this parser does not know would silently shrink the oracle's answer.
  if (upgrades.length !== summary.upgraded || installs.length !== summary.newlyInstalled || removals.length !== summary.removed) {
    throw new Error(
      `parsed ${upgrades.length}/${installs.length}/${removals.length} Inst/Inst/Remv lines but apt says ${m[0]}`,
    );
  }
  return { upgrades, installs, removals, summary };
}

/** apt.conf syntax; values here never contain quotes, but refuse rather than mis-quote. */
function confLine(name: string, value: string): string {
  if (/["\n]/.test(value) || /["\s{};]/.test(name)) throw new Error(`cannot write apt option ${name}=${value}`);
  return `${name} "${value}";`;
}

export async function createAptSandbox(options: AptSandboxOptions): Promise<AptSandbox> {
  const arch = options.arch ?? 'amd64';
  const root = await mkdtemp(join(tmpdir(), 'patchday-apt-'));
  const etc = join(root, 'etc/apt');
  const state = join(root, 'var/lib/apt');
  const cache = join(root, 'var/cache/apt');
  const statusFile = join(root, 'var/lib/dpkg/status');
  for (const dir of [
    join(etc, 'apt.conf.d'),
    join(etc, 'preferences.d'),
    join(etc, 'sources.list.d'),
    join(etc, 'trusted.gpg.d'),
    join(state, 'lists/partial'),
    join(cache, 'archives/partial'),
    join(root, 'var/lib/dpkg'),
    join(root, 'var/log/apt'),
  ]) {
    await mkdir(dir, { recursive: true });
  }
  if (options.statusFile) await copyFile(options.statusFile, statusFile);
  else await writeFile(statusFile, '');

  const sources = options.sources.flatMap((s) =>
    s.suites.map((suite) => {
      const components = (s.components ?? ['main']).join(' ');
      return `deb [arch=${arch} signed-by=${resolve(s.keyring)}] ${s.url.replace(/\/+$/, '')} ${suite} ${components}`;
    }),
  );
  await writeFile(join(etc, 'sources.list'), sources.join('\n') + '\n');

  const settings: Array<[string, string]> = [
    // ARCHITECTURE.md's list.
    ['Dir', root],
    ['Dir::State::status', statusFile],
    ['Dir::Etc', etc],
    ['Dir::Cache', cache],
    ['Dir::State', state],
    ['APT::Architecture', arch],
    ['Acquire::Languages', 'none'],
    ['Debug::NoLocking', '1'],
    ['Acquire::Check-Valid-Until', options.checkValidUntil ? 'true' : 'false'],
    // No foreign architectures, so apt need not ask the host's dpkg for them.
    ['APT::Architectures', arch],
    ['Dir::Log', join(root, 'var/log/apt')],
    // Only Packages: pdiffs need an older list, by-hash paths are not in the snapshot (apt would
    // 404 on them and fall back, doubling the requests), and Contents/DEP-11 are never read.
    ['Acquire::PDiffs', 'false'],
    ['Acquire::By-Hash', 'no'],
    ['Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled', 'false'],
    ['Acquire::IndexTargets::deb::DEP-11::DefaultEnabled', 'false'],
    // The local archive server must be reached directly, whatever proxy the machine uses.
    ['Acquire::http::Proxy', 'DIRECT'],
  ];
  // apt drops to _apt for downloads when run as root, and _apt cannot enter a 0700 temp dir.
  if (process.getuid?.() === 0) settings.push(['APT::Sandbox::User', 'root']);
  if (options.checkDate !== undefined) settings.push(['Acquire::Check-Date', options.checkDate ? 'true' : 'false']);
  for (const [name, value] of Object.entries(options.config ?? {})) settings.push([name, value]);

  const configFile = join(root, 'sandbox-apt.conf');
  await writeFile(configFile, settings.map(([n, v]) => confLine(n, v)).join('\n') + '\n');
  const aptOptions = settings.flatMap(([n, v]) => ['-o', `${n}=${v}`]);

  const env: NodeJS.ProcessEnv = { ...process.env, APT_CONFIG: configFile, LC_ALL: 'C', LANG: 'C', LANGUAGE: '' };
  for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) delete env[name];
  const timeoutMs = options.timeoutMs ?? 120_000;

  const run: AptSandbox['run'] = (command, args, opts = {}) =>
    new Promise((ok, fail) => {
      const started = performance.now();
      const child = spawn(command, [...aptOptions, ...args], { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        fail(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const stdout = Buffer.concat(out).toString();
        const stderr = Buffer.concat(err).toString();
        const lines = (stderr + '\n' + stdout).split('\n');
        const result: AptRun = {
          exitCode: code ?? -1,
          ms: performance.now() - started,
          stdout,
          stderr,
          errors: lines.filter((l) => l.startsWith('E: ')).map((l) => l.slice(3)),
          warnings: lines.filter((l) => l.startsWith('W: ')).map((l) => l.slice(3)),
        };
        if (result.exitCode !== 0 && !opts.allowFailure) {
          fail(new Error(`${command} ${args.join(' ')} exited ${code ?? signal}:\n${stderr || stdout.slice(-2000)}`));
        } else {
          ok(result);
        }
      });
    });

  return {
    root,
    statusFile,
    configFile,
    env,
    aptOptions,
    run,
    update: (opts) => run('apt-get', ['update'], opts),
    async simulateDistUpgrade(opts) {
      const r = await run('apt-get', ['-s', 'dist-upgrade'], opts);
      if (r.exitCode !== 0) {
        return { ...r, upgrades: [], installs: [], removals: [], summary: { upgraded: 0, newlyInstalled: 0, removed: 0, notUpgraded: 0 } };
      }
      return { ...r, ...parseSimulation(r.stdout) };
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
