-- OpenASM platform foundation: geography, profiles, accounts, access, audit, idempotency.
-- {{app_role}} is replaced by APP_DB_ROLE when the migration runs. Never edit after it has landed:
-- add a new numbered file instead (the runner refuses an applied migration whose text changed).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{{app_role}}') THEN
    CREATE ROLE {{app_role}} NOLOGIN;
  END IF;
  -- The schema owner connects as itself and switches to the application role; a non-superuser
  -- owner needs membership for that.
  -- (PostgreSQL 16 separated the right to SET ROLE from membership.)
  IF current_setting('server_version_num')::int >= 160000 THEN
    IF NOT pg_has_role(current_user, '{{app_role}}', 'SET') THEN
      EXECUTE format('GRANT %I TO %I WITH SET TRUE', '{{app_role}}', current_user);
    END IF;
  ELSIF NOT pg_has_role(current_user, '{{app_role}}', 'MEMBER') THEN
    EXECUTE format('GRANT %I TO %I', '{{app_role}}', current_user);
  END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO {{app_role}};

-- Geography -----------------------------------------------------------------------------------
CREATE TABLE admin_areas (
  id          uuid PRIMARY KEY,
  country     text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,39}$'),
  level       smallint NOT NULL CHECK (level BETWEEN 0 AND 6),
  level_name  text NOT NULL,
  parent_id   uuid REFERENCES admin_areas (id),
  path        text NOT NULL UNIQUE CHECK (path ~ '^/([^/]+/)+$'),
  name        text NOT NULL,
  names       jsonb NOT NULL DEFAULT '{}'::jsonb,
  geometry    jsonb,
  bbox        box,
  source      text,
  is_demo     boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  CHECK ((level = 0) = (parent_id IS NULL))
);
CREATE INDEX admin_areas_path_prefix ON admin_areas (path text_pattern_ops);
CREATE INDEX admin_areas_parent ON admin_areas (parent_id);
CREATE INDEX admin_areas_bbox ON admin_areas USING gist (bbox);
COMMENT ON TABLE admin_areas IS 'The administrative tree (country > region/province > district > ...). Every operational record carries the area it belongs to; access is granted on subtrees.';
COMMENT ON COLUMN admin_areas.code IS 'ISO 3166-2 where one exists (GH-AH), otherwise a stable code derived from the parent (GH-AH-D01). Capitals, digits and hyphens only, so it is safe inside a path and a LIKE prefix.';
COMMENT ON COLUMN admin_areas.path IS 'Materialised path of codes, /GH/GH-AH/GH-AH-D01/: a subtree is every path starting with its own.';
COMMENT ON COLUMN admin_areas.geometry IS 'GeoJSON geometry in WGS 84.';
COMMENT ON COLUMN admin_areas.bbox IS 'Bounding box of the geometry (x = longitude, y = latitude) for an indexed prefilter.';
COMMENT ON COLUMN admin_areas.source IS 'Where the boundary comes from, with its licence and attribution.';
COMMENT ON COLUMN admin_areas.is_demo IS 'True for generated demonstration areas that are not real boundaries.';

-- Country profiles ----------------------------------------------------------------------------
CREATE TABLE country_profiles (
  country     text PRIMARY KEY CHECK (country ~ '^[A-Z]{2}$'),
  profile_id  text NOT NULL UNIQUE,
  version     text NOT NULL,
  checksum    text NOT NULL,
  document    jsonb NOT NULL,
  loaded_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE country_profiles IS 'The rules of a country as data (tiers, fees, royalties, languages...), one row per loaded country, replaced only by a new version.';

-- Roles and accounts --------------------------------------------------------------------------
CREATE TABLE roles (
  code         text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
  name         text NOT NULL,
  description  text NOT NULL DEFAULT '',
  permissions  text[] NOT NULL,
  is_system    boolean NOT NULL DEFAULT false,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1
);
COMMENT ON TABLE roles IS 'Configurable roles; each maps to a set of permission codes. A user holds roles in areas through user_assignments.';

CREATE TABLE users (
  id                  uuid PRIMARY KEY,
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  phone               text NOT NULL UNIQUE CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  email               text UNIQUE,
  password_hash       text,
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  area_id             uuid NOT NULL REFERENCES admin_areas (id),
  preferred_language  text NOT NULL DEFAULT 'en',
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  disabled_at         timestamptz,
  version             integer NOT NULL DEFAULT 1
);
CREATE INDEX users_area ON users (area_id);
CREATE INDEX users_name_trgm ON users USING gin (name gin_trgm_ops);
COMMENT ON TABLE users IS 'People who sign in: officers, agents, monitors, administrators. area_id is the office the account belongs to (its jurisdiction for account management).';
COMMENT ON COLUMN users.phone IS 'E.164, the sign-in identifier (many users have no email).';
COMMENT ON COLUMN users.password_hash IS 'argon2id PHC string; null for an account that has not set a password.';

CREATE TABLE user_assignments (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id),
  role_code   text NOT NULL REFERENCES roles (code),
  area_id     uuid NOT NULL REFERENCES admin_areas (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, role_code, area_id)
);
CREATE INDEX user_assignments_user ON user_assignments (user_id);
COMMENT ON TABLE user_assignments IS 'A (role, area) pair a user holds: the permissions of the role, within the subtree of the area.';

CREATE TABLE sessions (
  id              uuid PRIMARY KEY,
  user_id         uuid NOT NULL REFERENCES users (id),
  token_hash      bytea NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz,
  revoked_reason  text,
  ip              text,
  user_agent      text
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;
COMMENT ON TABLE sessions IS 'Browser sessions. Only the SHA-256 of the token is stored; expires_at is the absolute limit, last_seen_at drives the idle limit.';

CREATE TABLE api_tokens (
  id            uuid PRIMARY KEY,
  name          text NOT NULL,
  token_hash    bytea NOT NULL UNIQUE,
  prefix        text NOT NULL,
  scopes        text[] NOT NULL,
  role_code     text NOT NULL REFERENCES roles (code),
  area_id       uuid NOT NULL REFERENCES admin_areas (id),
  created_by    uuid NOT NULL REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz
);
CREATE INDEX api_tokens_area ON api_tokens (area_id);
COMMENT ON TABLE api_tokens IS 'Machine credentials (buying-station devices, the SMS gateway). Permissions are the scopes, limited to those of role_code, within area_id.';

CREATE TABLE login_attempts (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('account', 'address')),
  key        text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  succeeded  boolean NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts (kind, key, at DESC);
COMMENT ON TABLE login_attempts IS 'Recent sign-in attempts per account and per address, for throttling. Old rows are pruned by a job.';

-- Idempotency ---------------------------------------------------------------------------------
CREATE TABLE idempotency_keys (
  actor             text NOT NULL,
  key               text NOT NULL,
  request_hash      text NOT NULL,
  response_status   integer NOT NULL,
  response_body     jsonb,
  response_headers  jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
COMMENT ON TABLE idempotency_keys IS 'First answers to POST requests carrying an Idempotency-Key, written in the same transaction as the change they answer.';

-- Audit ---------------------------------------------------------------------------------------
CREATE TABLE audit_events (
  seq          bigint PRIMARY KEY CHECK (seq > 0),
  id           uuid NOT NULL UNIQUE,
  occurred_at  timestamptz NOT NULL,
  actor_kind   text NOT NULL CHECK (actor_kind IN ('user', 'token', 'system', 'anonymous')),
  actor_id     text,
  action       text NOT NULL,
  entity_type  text NOT NULL,
  entity_id    text,
  area_id      uuid,
  request_id   text,
  before       jsonb,
  after        jsonb,
  meta         jsonb,
  prev_hash    text NOT NULL,
  hash         text NOT NULL UNIQUE
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_area ON audit_events (area_id, seq);
CREATE INDEX audit_events_time ON audit_events (occurred_at);
COMMENT ON TABLE audit_events IS 'Append-only, hash-chained record of every change, failed sign-in and denied access. hash = SHA-256(prev_hash || canonical(event)). The application role may only insert.';

CREATE TABLE audit_head (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq        bigint NOT NULL,
  hash       text NOT NULL
);
INSERT INTO audit_head (singleton, seq, hash) VALUES (true, 0, repeat('0', 64));
COMMENT ON TABLE audit_head IS 'The last link of the audit chain. Writers lock this row to append, which keeps the chain gapless and in commit order.';

CREATE TABLE audit_checkpoints (
  id          uuid PRIMARY KEY,
  seq         bigint NOT NULL,
  hash        text NOT NULL,
  signed_at   timestamptz NOT NULL,
  public_key  text NOT NULL,
  signature   text NOT NULL
);
COMMENT ON TABLE audit_checkpoints IS 'Signed statements of the chain head (Ed25519). Publish them: a rewrite of history before a checkpoint no longer matches its signature.';

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();

-- Privileges of the application role ------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE ON admin_areas, country_profiles, roles, users, user_assignments,
  sessions, api_tokens, login_attempts, idempotency_keys TO {{app_role}};
GRANT SELECT, INSERT ON audit_events, audit_checkpoints TO {{app_role}};
GRANT SELECT, UPDATE ON audit_head TO {{app_role}};
