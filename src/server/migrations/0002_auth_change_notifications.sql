-- Servers keep resolved credentials in memory. Any committed change to who a caller is (account
-- status, assignments, role permissions, sessions ended, tokens revoked) notifies them on the
-- channel openasm_auth; PostgreSQL delivers the notification only after the commit.

CREATE FUNCTION notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('openasm_auth', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER users_auth_change AFTER UPDATE OF status, area_id ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER user_assignments_auth_change AFTER INSERT OR UPDATE OR DELETE ON user_assignments
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER roles_auth_change AFTER UPDATE OR DELETE ON roles
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER sessions_auth_change AFTER UPDATE OF revoked_at OR DELETE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER api_tokens_auth_change AFTER UPDATE OF revoked_at, scopes OR DELETE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER admin_areas_auth_change AFTER UPDATE OF path ON admin_areas
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

COMMENT ON FUNCTION notify_auth_change() IS 'Tells every server to drop its cached credentials after a change to accounts, roles, sessions or tokens commits.';
