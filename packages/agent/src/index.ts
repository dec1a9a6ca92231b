export { Agent, type AgentOptions, type AgentLog } from './agent.ts';
export { AgentStatus, InstallSummary, ScanSummary, SendSummary } from './agent-status.ts';
export { runAgent, runLocalAction, type RunAgentOptions } from './run-agent.ts';
export { readInventory } from './machine/read-inventory.ts';
