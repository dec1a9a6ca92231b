import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isSandboxRoot } from './dpkg-handler.ts';
import { runProcess } from './run-process.ts';

/**
 * §6.5 how the agent restarts the machine and tells its users. The boot id is how the agent
 * knows a restart happened — its own or anyone's.
 */
export interface RestartDriver {
  /** Changes exactly when the machine has restarted. */
  bootId(): string;
  /** Tells the logged-in users (the countdown, its reminders, the final countdown). */
  announce(message: string): Promise<void>;
  restart(): Promise<void>;
}

const BOOT_ID = 'proc/sys/kernel/random/boot_id';

/** The machine itself: the kernel's boot id, `wall`, and `systemctl reboot` (else `/sbin/reboot`). */
export class SystemRestartDriver implements RestartDriver {
  bootId(): string {
    return readFileSync(join('/', BOOT_ID), 'utf8').trim();
  }

  async announce(message: string): Promise<void> {
    await runProcess('wall', [message], { timeoutMs: 10_000 });
  }

  async restart(): Promise<void> {
    const systemctl = await runProcess('systemctl', ['reboot'], { timeoutMs: 60_000 });
    if (systemctl.exitCode === 0) return;
    const reboot = await runProcess('/sbin/reboot', [], { timeoutMs: 60_000 });
    if (reboot.exitCode !== 0) throw new Error(`the machine could not be restarted: systemctl reboot said ${systemctl.output.trim() || systemctl.exitCode}; /sbin/reboot said ${reboot.output.trim() || reboot.exitCode}`);
  }
}

/**
 * A sandbox root's "machine": its boot id lives at `<root>/proc/sys/kernel/random/boot_id`; a
 * restart writes a new one, clears `var/run/reboot-required` as a real boot does, and is logged
 * in `<root>/var/log/patchday-restarts.log` (announcements in `patchday-announcements.log`), so
 * a test — or another process after a kill — can see what happened.
 */
export class SandboxRestartDriver implements RestartDriver {
  constructor(private readonly root: string) {}

  bootId(): string {
    const path = join(this.root, BOOT_ID);
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return this.newBoot();
    }
  }

  async announce(message: string): Promise<void> {
    this.log('patchday-announcements.log', message);
  }

  async restart(): Promise<void> {
    rmSync(join(this.root, 'var/run/reboot-required'), { force: true });
    rmSync(join(this.root, 'var/run/reboot-required.pkgs'), { force: true });
    this.log('patchday-restarts.log', `restart from boot ${this.bootId()}`);
    this.newBoot();
  }

  restarts(): string[] {
    return this.read('patchday-restarts.log');
  }

  announcements(): string[] {
    return this.read('patchday-announcements.log');
  }

  private newBoot(): string {
    const id = randomUUID();
    const path = join(this.root, BOOT_ID);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${id}\n`);
    return id;
  }

  private log(name: string, line: string): void {
    const path = join(this.root, 'var/log', name);
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${line.replace(/\n/g, ' ')}\n`);
  }

  private read(name: string): string[] {
    try {
      return readFileSync(join(this.root, 'var/log', name), 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }
}

/** The real driver only for the real root: a sandbox root never restarts the machine running it. */
export function restartDriverFor(root: string): RestartDriver {
  return isSandboxRoot(root) ? new SandboxRestartDriver(root) : new SystemRestartDriver();
}
