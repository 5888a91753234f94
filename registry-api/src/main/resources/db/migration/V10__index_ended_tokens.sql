-- Every instance reads, once a second, the tokens and sessions revoked or expired within the last
-- day (RevokedTokens). Without these the read scans both tables whole; refresh_token gains a row
-- for every sign-in and every offline docker login.
CREATE INDEX personal_access_token_revoked_at ON personal_access_token (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX personal_access_token_expires_at ON personal_access_token (expires_at);
CREATE INDEX refresh_token_revoked_at ON refresh_token (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX refresh_token_expires_at ON refresh_token (expires_at);
