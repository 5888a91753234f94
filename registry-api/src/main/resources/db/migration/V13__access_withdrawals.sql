-- Access taken away: a repository made private, a member removed from an organisation, a member's
-- role or a team changed. Registry tokens signed before withdrawn_at that name a repository in the
-- scope (a repository, or a namespace ending with '/') are refused from then on, for the subject
-- (NULL: everyone, anonymous callers too). Rows a day older than any token's lifetime are removed.
-- Besides blob_reference, the one table registry-api publishes: layer-store reads it every second
-- (scope, subject, withdrawn_at; TokenRevocations), so its columns change only with that reader.
CREATE TABLE access_withdrawal (
    id           bigserial   PRIMARY KEY,
    scope        text        NOT NULL,
    subject      text,
    withdrawn_at timestamptz NOT NULL
);
CREATE INDEX access_withdrawal_withdrawn_at ON access_withdrawal (withdrawn_at);
