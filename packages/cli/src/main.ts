import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-error.ts';
import { registerAdrCommands } from './commands/adr.ts';
import { registerAgentCommands } from './commands/agent.ts';
import { registerAlertCommands } from './commands/alerts.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerClientCommands } from './commands/clients.ts';
import { registerCollectionCommands } from './commands/collections.ts';
import { registerComplianceCommands } from './commands/compliance.ts';
import { registerDeploymentCommands } from './commands/deployments.ts';
import { registerDpCommands } from './commands/dp.ts';
import { registerGroupCommands } from './commands/groups.ts';
import { registerLoginCommand } from './commands/login.ts';
import { registerPackageCommands } from './commands/packages.ts';
import { registerServerCommand } from './commands/server.ts';
import { registerStatusMessageCommands } from './commands/status-messages.ts';
import { registerSyncCommands } from './commands/sync.ts';
import { registerUpdateCommands } from './commands/updates.ts';
import { registerUpstreamCommands } from './commands/upstream.ts';
import { registerUserCommands } from './commands/users.ts';
import { registerWindowCommands } from './commands/windows.ts';

const program = new Command('patchday')
  .description('Patchday: software update management for fleets of machines')
  .version('0.1.0')
  .showHelpAfterError()
  .enablePositionalOptions()
  .exitOverride();

registerServerCommand(program);
registerLoginCommand(program);
registerUserCommands(program);
registerUpstreamCommands(program);
registerSyncCommands(program);
registerUpdateCommands(program);
registerStatusMessageCommands(program);
registerAuditCommands(program);
registerClientCommands(program);
registerCollectionCommands(program);
registerComplianceCommands(program);
registerGroupCommands(program);
registerPackageCommands(program);
registerWindowCommands(program);
registerDeploymentCommands(program);
registerAdrCommands(program);
registerAlertCommands(program);
registerDpCommands(program);
registerAgentCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with exit code 0.
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else if (error instanceof CliError) {
    process.stderr.write(`patchday: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`patchday: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = ExitCode.failed;
  }
}
