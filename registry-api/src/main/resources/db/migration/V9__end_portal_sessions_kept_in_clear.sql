-- The portal now keeps its sessions' tokens sealed and has dropped the sessions it kept in clear
-- (web-ui V3). Their refresh tokens end here too, so that a copy of the portal's table taken
-- before cannot open a session. (Portal sign-ins from before refresh_token.portal existed are
-- indistinguishable from clients' offline tokens and run out with their lifetime.)
UPDATE refresh_token SET revoked_at = now() WHERE portal AND revoked_at IS NULL;
