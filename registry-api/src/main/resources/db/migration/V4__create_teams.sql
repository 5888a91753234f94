-- Teams of an organisation: a role on all of its repositories, or on chosen ones.
CREATE TABLE team (
    organization TEXT NOT NULL REFERENCES organization (name) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    -- NULL: every repository of the organisation; otherwise only these (full names)
    repositories TEXT[],
    PRIMARY KEY (organization, name)
);

CREATE TABLE team_member (
    organization TEXT   NOT NULL,
    team         TEXT   NOT NULL,
    account_id   BIGINT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    PRIMARY KEY (organization, team, account_id),
    FOREIGN KEY (organization, team) REFERENCES team (organization, name) ON DELETE CASCADE
);
