package dev.drydock.layerstore.access;

import dev.drydock.layerstore.LayerStoreConfig;
import dev.drydock.layerstore.gc.GarbageCollection;
import dev.drydock.oci.token.AccessWithdrawal;
import dev.drydock.oci.token.RegistryToken;
import dev.drydock.oci.token.Revocations;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * What ends a registry token before it expires, read every second: revoked personal access
 * tokens and ended sign-ins as registry-api lists them (see {@link Revocations}), and access
 * withdrawn lately ({@link AccessWithdrawal}), read from registry-api's table in the database they
 * share (it names repositories and users, so registry-api does not publish it).
 */
@ApplicationScoped
public class TokenRevocations {

    private static final Logger LOG = Logger.getLogger(TokenRevocations.class);

    private final Revocations revocations;
    private final AgroalDataSource dataSource;
    private final String withdrawalsTable;
    private volatile AccessWithdrawal.Index withdrawals = AccessWithdrawal.Index.EMPTY;
    private volatile boolean warned;
    private volatile boolean toldOfNoTable;
    private volatile boolean tableFound;

    TokenRevocations(LayerStoreConfig config, AgroalDataSource dataSource, GarbageCollection gc) {
        URI jwks = config.jwksUrl();
        this.revocations = new Revocations(jwks.resolve("/"));
        this.dataSource = dataSource;
        this.withdrawalsTable = gc.registrySchema() + ".access_withdrawal";
    }

    boolean isRevoked(RegistryToken token) {
        return !revocations.allows(token) || withdrawals.ends(token);
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        revocations.refresh();
        try {
            withdrawals = new AccessWithdrawal.Index(withdrawnLately());
            warned = false;
        } catch (SQLException e) {
            // the last list read stays: the database is also where every link is checked
            if (!warned) {
                LOG.warnf("cannot read access withdrawals from %s: %s", withdrawalsTable, e.getMessage());
                warned = true;
            }
        }
    }

    /**
     * Withdrawals of the last day (registry-api removes them a day after no token they could end
     * is current); none before registry-api has created its table.
     */
    private List<AccessWithdrawal> withdrawnLately() throws SQLException {
        List<AccessWithdrawal> withdrawn = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            if (!tableFound && !tableExists(c)) {
                if (!toldOfNoTable) {
                    LOG.warnf(
                            "there is no %s (registry-api has not created it yet, or drydock.gc.registry-schema"
                                    + " names another schema): no token is refused for access withdrawn",
                            withdrawalsTable);
                    toldOfNoTable = true;
                }
                return withdrawn;
            }
            tableFound = true; // a migrated table is not dropped: asked once, not every second
            try (PreparedStatement select = c.prepareStatement("SELECT scope, subject, withdrawn_at FROM "
                            + withdrawalsTable + " WHERE withdrawn_at > now() - interval '1 day'");
                    ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    withdrawn.add(new AccessWithdrawal(
                            rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
                }
            }
        }
        return withdrawn;
    }

    private boolean tableExists(Connection c) throws SQLException {
        try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, withdrawalsTable);
            try (ResultSet rs = exists.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
