export { startSite, DEFAULT_PORT, VERSION, type SiteConfig, type RunningSite } from './site.ts';
export { INITIAL_PASSWORD_FILE } from './auth/bootstrap.ts';
export { runDistributionPoint, DEFAULT_DP_PORT, DEFAULT_DP_POLL_SECONDS, type DistributionPointConfig, type RunningDistributionPoint } from './dp-process/run-distribution-point.ts';
export { isServingWorker, runServingWorker } from './dp-process/serving-workers.ts';
