-- Logged-out access tokens (POST /auth/logout), the record the Redis keys
-- pitwall:revoked:<jti> are rebuilt from when Redis has lost them (with
-- the roles and bans, lib/authz.c).  A row is of use until the token
-- expires; rebuilds drop the expired ones.
CREATE TABLE IF NOT EXISTS revoked_tokens (
    jti        text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS revoked_tokens_expires_at ON revoked_tokens (expires_at);
