-- A plain member ('member') belongs to the organisation but has access only through its teams;
-- teams take only members, so this is how a team can be limited to some repositories.
ALTER TABLE organization_member DROP CONSTRAINT organization_member_role_check;
ALTER TABLE organization_member ADD CONSTRAINT organization_member_role_check
    CHECK (role IN ('member', 'read', 'write', 'admin'));
