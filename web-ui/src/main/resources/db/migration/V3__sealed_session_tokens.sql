-- The platform tokens of a browser session are kept sealed (AES-GCM) with a key derived from the
-- session's cookie, which this table does not hold: a copy of it gives no usable token. Sessions
-- from before held them in clear and end here (their users sign in again).
DELETE FROM portal_session;
ALTER TABLE portal_session RENAME COLUMN access_token TO access_token_sealed;
ALTER TABLE portal_session RENAME COLUMN refresh_token TO refresh_token_sealed;
