import type { Generated } from 'kysely';

/**
 * The site database, shared by SQLite and PostgreSQL. Times are ISO-8601 UTC strings (they sort
 * as text on both engines), booleans are 0/1 integers and lists are JSON text, so every query
 * reads the same on both stores.
 */
export interface Database {
  users: UsersTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  status_messages: StatusMessagesTable;
  upstreams: UpstreamsTable;
  site_settings: SiteSettingsTable;
  suite_states: SuiteStatesTable;
  sync_runs: SyncRunsTable;
  updates: UpdatesTable;
  update_revisions: UpdateRevisionsTable;
  enrolment_tokens: EnrolmentTokensTable;
  clients: ClientsTable;
}

export interface EnrolmentTokensTable {
  token_id: string;
  /** sha256 of the token: it is shown once, to the administrator who created it. */
  token_hash: string;
  name: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  /** null = any number of agents until it expires. */
  uses_left: number | null;
  revoked: number;
}

export interface ClientsTable {
  client_id: string;
  name: string;
  /** sha256 of the agent's credential. */
  credential_hash: string;
  /** `pending` until an administrator approves an agent that enrolled without a token. */
  status: string;
  enrolment_token_id: string | null;
  enrolled_at: string;
  last_policy_at: string | null;
  last_inventory_at: string | null;
  /** The last inventory the agent reported (JSON), for fleet-wide estimates. */
  inventory: string | null;
  inventory_sha256: string | null;
}

export interface UsersTable {
  user_id: string;
  username: string;
  password_hash: string;
  role: string;
  created_at: string;
  disabled: number;
}

export interface ApiTokensTable {
  token_id: string;
  user_id: string;
  /** sha256 of the secret: a stolen database does not yield usable tokens. */
  token_hash: string;
  name: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface AuditLogTable {
  audit_id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: string;
}

export interface StatusMessagesTable {
  status_id: Generated<number>;
  message_id: number;
  severity: string;
  component: string;
  text: string;
  details: string;
  at: string;
}

export interface UpstreamsTable {
  name: string;
  kind: string;
  url: string;
  suites: string;
  architectures: string;
  keyring: string;
  allow_stale: number;
  created_at: string;
  updated_at: string;
}

/** Key/value settings of the site (sync criteria, sync schedule, catalogue sequence). */
export interface SiteSettingsTable {
  key: string;
  value: string;
}

export interface SuiteStatesTable {
  upstream: string;
  suite: string;
  in_release: string;
  in_release_sha256: string;
  release_date: string;
  valid_until: string | null;
  etag: string | null;
  last_modified: string | null;
  /** JSON map index path -> sha256 of the indexes whose updates are in the catalogue. */
  indexes: string;
  /** How many updates of this suite the catalogue publishes, so a no-op sync need not count them. */
  published_updates: number;
  /** When this InRelease was accepted. */
  synced_at: string;
}

export interface SyncRunsTable {
  run_id: Generated<number>;
  trigger: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  added: number;
  revised: number;
  superseded: number;
  expired: number;
  unchanged: number;
  error: string | null;
  catalogue_seq: number | null;
  /** JSON list of per-suite results, for the run's summary table. */
  suites: Generated<string>;
}

export interface UpdatesTable {
  update_id: string;
  revision: number;
  upstream: string;
  product: string;
  suite: string;
  source: string;
  version: string;
  title: string;
  description: string;
  vendor: string;
  classification: string;
  severity: string;
  release_date: string;
  advisory_id: string | null;
  cve_ids: string;
  reference_urls: string;
  language: string;
  reboot_behaviour: string;
  eula: number;
  /** 1 while the upstream still publishes it; dropped updates stay as history. */
  present: number;
  superseded: number;
  superseded_by: string | null;
  superseded_at: string | null;
  expired: number;
  metadata_sha256: string;
  first_seen_at: string;
  last_changed_at: string;
  /** Catalogue sequence of the last change: "everything after anchor N" is one indexed query. */
  change_seq: number;
  /** Catalogue sequence of revision 1 (the history's first entry, which has no revision row). */
  created_seq: number;
  /** JSON list of UpdateBinary: part of the revisioned metadata document, read and written whole. */
  binaries: string;
}

/** Revisions 2 and later; revision 1 is the update's creation (first_seen_at, created_seq). */
export interface UpdateRevisionsTable {
  update_id: string;
  revision: number;
  change_seq: number;
  at: string;
  /** JSON list of the metadata fields that changed in this revision. */
  changes: string;
}
