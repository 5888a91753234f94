-- Only a portal sign-in's refresh token renews a session (an /api/v1 credential); the refresh
-- tokens docker, podman and containerd keep (offline_token) yield registry tokens only.
ALTER TABLE refresh_token ADD COLUMN portal BOOLEAN NOT NULL DEFAULT false;
