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
  collections: CollectionsTable;
  collection_direct_members: CollectionDirectMembersTable;
  collection_members: CollectionMembersTable;
  client_update_states: ClientUpdateStatesTable;
  inventories: InventoriesTable;
  inventory_packages: InventoryPackagesTable;
  update_groups: UpdateGroupsTable;
  update_group_members: UpdateGroupMembersTable;
  deployment_packages: DeploymentPackagesTable;
  content_files: ContentFilesTable;
  package_files: PackageFilesTable;
  distribution_points: DistributionPointsTable;
  dp_packages: DpPackagesTable;
  maintenance_windows: MaintenanceWindowsTable;
  deployments: DeploymentsTable;
  client_deployment_states: ClientDeploymentStatesTable;
  automatic_deployment_rules: AutomaticDeploymentRulesTable;
  alerts: AlertsTable;
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
  /** Clients enrolling with the token become direct members of this collection. */
  collection_id: string | null;
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
  /**
   * The software part (os + dpkg) of the last inventory the agent reported: a row of `inventories`,
   * shared by every client that reported the same one. Read and write it only through
   * `inventory/inventory-store.ts`.
   */
  inventory_sha256: string | null;
  /** JSON: the rest of that inventory, particular to this machine (facts, files, command results). */
  inventory_local: string | null;
  /** Highest state message sequence number stored for this client: anything at or below is a duplicate. */
  last_message_seq: Generated<number>;
  /** When the last batch of state messages was received (site time). */
  last_state_message_at: string | null;
  /** Agent time of the last scan progress message (topic 501). */
  last_scan_at: string | null;
  /** Its state id (§5 topic 501: 1 waiting for content … 6 completed with errors). */
  last_scan_state_id: number | null;
  /** Catalogue anchor of the last completed scan (state 3 or 6). */
  last_scan_anchor: number | null;
  /** Product of the last completed scan. */
  last_scan_product: string | null;
  /** Error text of the last scan progress message (null when it had none). */
  last_scan_error: string | null;
  /** Agent time of the last completed scan. */
  last_scan_completed_at: string | null;
}

/** §5 topic 500: each client's last reported detection state per update. */
export interface ClientUpdateStatesTable {
  client_id: string;
  update_id: string;
  /** 0 unknown, 1 not required, 2 required, 3 installed. */
  state_id: number;
  /** The update revision the state was evaluated for. */
  revision: number;
  /** The agent's time of the message. */
  state_at: string;
  /** When the site stored it. */
  received_at: string;
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

/** A collection (§1). Lists and settings are JSON text; see docs/collections.md for the semantics. */
export interface CollectionsTable {
  collection_id: string;
  name: string;
  /** lower-case name: names are unique regardless of case. */
  name_key: string;
  description: string;
  /** 1 for All Systems: cannot be deleted, renamed or given rules. */
  built_in: number;
  /** Null only for All Systems. */
  limiting_collection_id: string | null;
  /** JSON list of CollectionQueryRule. */
  query_rules: string;
  /** JSON lists of collection ids. */
  include_ids: string;
  exclude_ids: string;
  /** JSON object: the client settings this collection assigns (a subset of §12's). */
  client_settings: string;
  /** Lowest number wins; null when the collection assigns no settings. */
  settings_priority: number | null;
  created_at: string;
  updated_at: string;
}

/** Direct-membership rules: the client is in the collection whatever its inventory (limit and exclusions still apply). */
export interface CollectionDirectMembersTable {
  collection_id: string;
  client_id: string;
  added_at: string;
  added_by: string;
}

/** The materialised membership, kept current by `refreshMemberships`: join here to filter by collection. */
export interface CollectionMembersTable {
  collection_id: string;
  client_id: string;
}

/** One distinct software inventory (os + dpkg database), stored once whatever number of clients report it. */
export interface InventoriesTable {
  inventory_id: Generated<number>;
  /** sha256 of the canonical JSON in `inventory`. */
  inventory_sha256: string;
  /** JSON `{os, dpkg}`, canonical: dpkg keys sorted. */
  inventory: string;
  /** The catalogue product of its os ("Debian 12"), null when there is none. */
  product: string | null;
  os_family: string;
  os_version_id: string | null;
  os_codename: string | null;
  os_architecture: string | null;
  /** 0 when the machine has no dpkg database (dpkg conditions are unknown there). */
  has_dpkg: number;
  package_count: number;
  created_at: string;
}

/**
 * Inverted index of `inventories`: the dpkg stanzas of each that can make a dpkg condition other than
 * false (installed, or caught mid-install). Primary key (name, inventory_id, package_key).
 */
export interface InventoryPackagesTable {
  name: string;
  inventory_id: number;
  /** The stanza's key in the dpkg record (`libc6:i386`, or just the name). */
  package_key: string;
  architecture: string | null;
  version: string | null;
  status: string;
  multi_arch: string | null;
}

/** §6.2 an update group: the unit of deployment. */
export interface UpdateGroupsTable {
  group_id: string;
  name: string;
  /** lower-case name: unique regardless of case. */
  name_key: string;
  description: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface UpdateGroupMembersTable {
  group_id: string;
  update_id: string;
  added_at: string;
}

/** §6.1 a deployment package: a named set of update files with a content version. */
export interface DeploymentPackagesTable {
  package_id: string;
  name: string;
  name_key: string;
  description: string;
  /** Absolute path of its own source folder; two packages never share one. */
  source_folder: string;
  /** 1 when created, 2 once its files are downloaded, +1 on every change of its content. */
  content_version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** The site content library's index: one row per stored file (the bytes are in `ContentLibrary`). */
export interface ContentFilesTable {
  sha256: string;
  size: number;
  stored_at: string;
}

/**
 * The files each package carries, per update. The reference count of a library file is the number
 * of packages with a row for its sha256; a file no package references may leave the library.
 */
export interface PackageFilesTable {
  package_id: string;
  update_id: string;
  sha256: string;
  /** Base name (`openssl_3.0.17-1~deb12u3_amd64.deb`). */
  file_name: string;
  size: number;
  /** `pending` (listed, not yet in the library), `stored` (verified into the library), `failed`. */
  state: string;
  /** Why the last attempt failed (a sha256 mismatch, an HTTP error). */
  error: string | null;
  added_at: string;
}

/** A distribution point: `site` (the site's own library) or `remote` (a `patchday dp` process). */
export interface DistributionPointsTable {
  dp_id: string;
  name: string;
  name_key: string;
  kind: string;
  /** Base URL agents fetch content from; for `site`, null (the site's own URL). */
  url: string | null;
  /** sha256 of a remote DP's credential. */
  credential_hash: string | null;
  /** Agents try distribution points in ascending order. */
  sort_order: number;
  enabled: number;
  created_at: string;
  last_seen_at: string | null;
}

/** Which packages a distribution point is targeted with, and how far it has got. */
export interface DpPackagesTable {
  dp_id: string;
  package_id: string;
  /** `pending`, `in-progress`, `installed` or `failed`. */
  state: string;
  /** The package content version this state is about. */
  content_version: number;
  bytes_total: number;
  bytes_done: number;
  error: string | null;
  updated_at: string;
}

/** §6.8 a collection's maintenance window: `definition` is JSON `MaintenanceWindow`. */
export interface MaintenanceWindowsTable {
  window_id: string;
  collection_id: string;
  definition: string;
  created_at: string;
  updated_at: string;
}

/** §6.4 a deployment: an update group to a collection; `definition` is JSON of its settings. */
export interface DeploymentsTable {
  deployment_id: string;
  name: string;
  group_id: string;
  collection_id: string;
  /** The ADR that created it, if one did. */
  adr_id: string | null;
  definition: string;
  enabled: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** §5 topics 300/301/302: each client's last state per deployment and topic. */
export interface ClientDeploymentStatesTable {
  client_id: string;
  deployment_id: string;
  topic: number;
  state_id: number;
  update_id: string | null;
  error: string | null;
  /** The agent's time of the message. */
  state_at: string;
  received_at: string;
}

/** §6.3 an automatic deployment rule: `definition` is JSON of its criteria, schedule and deployments. */
export interface AutomaticDeploymentRulesTable {
  adr_id: string;
  name: string;
  name_key: string;
  definition: string;
  enabled: number;
  group_id: string;
  package_id: string | null;
  next_run_at: string | null;
  last_run_at: string | null;
  /** JSON of the last run's outcome (updates selected, error). */
  last_run_result: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** §9 an alert: raised when its condition holds, cleared when it stops holding. */
export interface AlertsTable {
  alert_id: Generated<number>;
  /** `deployment-compliance` or `sync-failure`. */
  kind: string;
  /** The deployment id, or the upstream name. */
  target_id: string;
  severity: string;
  text: string;
  raised_at: string;
  cleared_at: string | null;
}
