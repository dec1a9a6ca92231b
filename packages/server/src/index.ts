export { startSite, DEFAULT_PORT, VERSION, type SiteConfig, type RunningSite } from './site.ts';
export { INITIAL_PASSWORD_FILE } from './auth/bootstrap.ts';
