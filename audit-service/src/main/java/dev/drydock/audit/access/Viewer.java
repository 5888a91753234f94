package dev.drydock.audit.access;

import dev.drydock.oci.token.RegistryToken;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Who reads the read API, as the front door's viewer token says: their name (empty when
 * anonymous), the namespaces and single repositories they may pull beyond the public ones, and the
 * part of the audit log they may read ({@code *}, {@code organization:<name>} or
 * {@code repository:<name>}); and whether they maintain the platform (rebuild projections).
 */
public record Viewer(
        String username,
        boolean everything,
        List<String> namespaces,
        List<String> repositories,
        Optional<String> auditScope,
        boolean maintains) {

    /**
     * A condition on a row with {@code visibility}, {@code namespace} and {@code name} columns
     * that holds when the viewer may see it; bind it with {@link #bind}.
     */
    public static final String MAY_SEE = maySee("");

    /** {@link #MAY_SEE} on the columns of the table aliased {@code alias}. */
    public static String maySee(String alias) {
        String a = alias.isEmpty() ? "" : alias + ".";
        return "(" + a + "visibility = 'public' OR CAST(? AS BOOLEAN) OR " + a + "namespace = ANY (?) OR " + a
                + "name = ANY (?))";
    }

    public static Viewer of(RegistryToken token) {
        List<String> namespaces = names(token, "namespace", "pull");
        String audit = token.access().stream()
                .filter(a -> a.type().equals("audit") && a.actions().contains("read"))
                .map(RegistryToken.Access::name)
                .findFirst()
                .orElse(null);
        return new Viewer(
                token.subject(),
                namespaces.contains("*"),
                namespaces,
                names(token, "repository", "pull"),
                Optional.ofNullable(audit),
                names(token, "projections", "rebuild").contains("*"));
    }

    /** Binds {@link #MAY_SEE}'s three parameters from {@code index}; answers the next index. */
    public int bind(Connection c, PreparedStatement statement, int index) throws SQLException {
        statement.setBoolean(index, everything);
        statement.setArray(index + 1, c.createArrayOf("text", namespaces.toArray()));
        statement.setArray(index + 2, c.createArrayOf("text", repositories.toArray()));
        return index + 3;
    }

    private static List<String> names(RegistryToken token, String type, String action) {
        return token.access().stream()
                .filter(a -> a.type().equals(type) && a.actions().contains(action))
                .map(RegistryToken.Access::name)
                .toList();
    }
}
