-- A plain member ('member') belongs to the organisation but has access only through its teams;
-- teams take only members, so this is how a team can be limited to some repositories.
ALTER TABLE organization_member DROP CONSTRAINT organization_member_role_check;
ALTER TABLE organization_member ADD CONSTRAINT organization_member_role_check
    CHECK (role IN ('member', 'read', 'write', 'admin'));
-- Teams grant only to members from now on: whoever is in a team without being a member keeps
-- what the team gave them by becoming a plain member.
INSERT INTO organization_member (organization, account_id, role)
SELECT DISTINCT organization, account_id, 'member' FROM team_member
ON CONFLICT DO NOTHING;
