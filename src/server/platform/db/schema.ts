import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';

/** Column types as the application sees them (see database.ts for how values are parsed). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;
type NullableJson<T = unknown> = ColumnType<T | null, string | null, string | null>;

export interface AdminAreasTable {
  id: string;
  country: string;
  code: string;
  level: number;
  level_name: string;
  parent_id: string | null;
  path: string;
  name: string;
  names: ColumnType<Record<string, string>, string | undefined, string>;
  geometry: NullableJson;
  bbox: ColumnType<string | null, string | null, string | null>;
  source: string | null;
  is_demo: Generated<boolean>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  version: Generated<number>;
}

export interface CountryProfilesTable {
  country: string;
  profile_id: string;
  version: string;
  checksum: string;
  document: Json;
  loaded_at: DefaultedTimestamp;
}

export interface RolesTable {
  code: string;
  name: string;
  description: Generated<string>;
  permissions: string[];
  is_system: Generated<boolean>;
  updated_at: DefaultedTimestamp;
  version: Generated<number>;
}

export interface UsersTable {
  id: string;
  name: string;
  phone: string;
  email: string | null;
  password_hash: string | null;
  status: Generated<'active' | 'disabled'>;
  area_id: string;
  preferred_language: Generated<string>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  disabled_at: Date | null;
  version: Generated<number>;
}

export interface UserAssignmentsTable {
  id: string;
  user_id: string;
  role_code: string;
  area_id: string;
  created_at: DefaultedTimestamp;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: Buffer | Uint8Array;
  created_at: DefaultedTimestamp;
  last_seen_at: DefaultedTimestamp;
  expires_at: Timestamp;
  revoked_at: Date | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: Buffer | Uint8Array;
  prefix: string;
  scopes: string[];
  role_code: string;
  area_id: string;
  created_by: string;
  created_at: DefaultedTimestamp;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface LoginAttemptsTable {
  id: Generated<number>;
  kind: 'account' | 'address';
  key: string;
  at: DefaultedTimestamp;
  succeeded: boolean;
}

export interface IdempotencyKeysTable {
  actor: string;
  key: string;
  request_hash: string;
  response_status: number;
  response_body: NullableJson;
  response_headers: Json<Record<string, string>>;
  created_at: DefaultedTimestamp;
}

export interface AuditEventsTable {
  seq: number;
  id: string;
  occurred_at: Timestamp;
  actor_kind: 'user' | 'token' | 'system' | 'anonymous';
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  area_id: string | null;
  request_id: string | null;
  before: NullableJson;
  after: NullableJson;
  meta: NullableJson;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  singleton: boolean;
  seq: number;
  hash: string;
}

export interface AuditCheckpointsTable {
  id: string;
  seq: number;
  hash: string;
  signed_at: Timestamp;
  public_key: string;
  signature: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

export interface DB {
  admin_areas: AdminAreasTable;
  country_profiles: CountryProfilesTable;
  roles: RolesTable;
  users: UsersTable;
  user_assignments: UserAssignmentsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_attempts: LoginAttemptsTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointsTable;
  schema_migrations: SchemaMigrationsTable;
}

/** What repositories take: the request's transaction (or the database itself for plain reads). */
export type Queryable = Kysely<DB> | Transaction<DB>;
export type Tx = Transaction<DB>;
export type AdminArea = Selectable<AdminAreasTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
