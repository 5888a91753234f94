package dev.drydock.audit.repository;

import dev.drydock.audit.access.Viewer;
import dev.drydock.readapi.RepositorySummary;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postgresql.PGStatement;

/**
 * Search over the repositories the viewer may see. A word matches a word of the name, description
 * or README; when nothing matches the words as typed, a word matches the words it begins
 * ({@code ngin} finds {@code nginx}); when that finds nothing either, each word no repository name
 * contains is replaced by the most similar one that some name does ({@code alpne} finds
 * {@code alpine}) and dropped if none is similar.
 * <p>
 * Best match: the exact name first, then relevance plus popularity. Relevance is 1.0 when every word
 * is in the name, 0.4 when every word is in the name or description, 0.1 otherwise (a word only in
 * the README); popularity is kept by the projection from stars and the pulls of the last 30 days
 * (migration V11). Within one relevance the order is popularity's, so each relevance's best are
 * found by reading the most popular repositories along the popularity index (and only when that
 * finds too few, through the word indexes); a search never reads every repository a common word
 * matches.
 */
@ApplicationScoped
public class RepositorySearch {

    /** How results are ordered. */
    public enum Order {
        BEST,
        PULLS,
        STARS,
        UPDATED
    }

    /**
     * @param official     when true only official images ({@code library/…}), when false none, when null both
     * @param organization only that namespace, or null
     * @param platform     {@code os/architecture[/variant]} that one of the repository's tags must offer, or null
     */
    public record Query(
            String words, Boolean official, String organization, String platform, Order order, int offset, int limit) {}

    /** How many of the most popular repositories a best-match search reads before using the word indexes. */
    static final int MOST_POPULAR = 1000;

    private final AgroalDataSource dataSource;
    private final RepositorySummaries summaries;

    RepositorySearch(AgroalDataSource dataSource, RepositorySummaries summaries) {
        this.dataSource = dataSource;
        this.summaries = summaries;
    }

    public List<RepositorySummary> search(Viewer viewer, Query query) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return summaries.named(c, viewer, find(c, viewer, query));
        }
    }

    /** The names on the query's page. */
    private static List<String> find(Connection c, Viewer viewer, Query query) throws SQLException {
        String words = query.words().toLowerCase(Locale.ROOT);
        List<String> lexemes = lexemes(c, words);
        if (lexemes.isEmpty()) {
            return List.of();
        }
        for (Words typed : List.of(Words.whole(words, lexemes), Words.beginnings(words, lexemes))) {
            Page page = page(c, viewer, query, typed);
            if (page.anyMatch()) {
                return page.names();
            }
        }
        List<String> known = corrected(c, viewer, lexemes);
        if (known.isEmpty() || known.equals(lexemes)) {
            return List.of();
        }
        return page(c, viewer, query, Words.whole(String.join(" ", known), known))
                .names();
    }

    /**
     * The typed words as full-text queries: {@code all} needs every word, {@code any} one of them.
     *
     * @param text the words as typed (for the exact name)
     */
    private record Words(String text, String all, String any) {

        static Words whole(String text, List<String> lexemes) {
            return of(text, lexemes, "");
        }

        static Words beginnings(String text, List<String> lexemes) {
            return of(text, lexemes, ":*");
        }

        private static Words of(String text, List<String> lexemes, String suffix) {
            List<String> each = lexemes.stream()
                    .map(word -> "'" + word.replace("\\", "\\\\").replace("'", "''") + "'" + suffix)
                    .toList();
            return new Words(text, String.join(" & ", each), String.join(" | ", each));
        }

        /** Every word in the words of the field(s): {@code name_words}, or {@code (name_words || description_words)}. */
        Sql allIn(String words) {
            return new Sql(words + " @@ CAST(? AS tsquery)", List.of(all));
        }

        /** One of the words in the field's words. */
        Sql anyIn(String words) {
            return new Sql(words + " @@ CAST(? AS tsquery)", List.of(any));
        }
    }

    /** A condition and the values of its parameters, in order. */
    private record Sql(String text, List<String> parameters) {

        Sql and(Sql other) {
            List<String> both = new ArrayList<>(parameters);
            both.addAll(other.parameters);
            return new Sql(text + " AND " + other.text, both);
        }

        Sql not() {
            return new Sql("NOT " + text, parameters);
        }

        int bind(PreparedStatement statement, int index) throws SQLException {
            for (String parameter : parameters) {
                statement.setString(index++, parameter);
            }
            return index;
        }
    }

    /** The words as full text indexes a name: lowercase, split at punctuation. */
    private static List<String> lexemes(Connection c, String words) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(
                "SELECT unnest(tsvector_to_array(to_tsvector('simple', translate(?, '/-_.', '    '))))")) {
            select.setString(1, words);
            List<String> lexemes = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    lexemes.add(rs.getString(1));
                }
            }
            return lexemes;
        }
    }

    private static final String IN_NAME = "name_words";
    private static final String IN_NAME_OR_DESCRIPTION = "(name_words || description_words)";
    private static final String IN_README = "readme_words";
    private static final String ANYWHERE = "all_words";

    /** How well a repository matches: every word in the name, in the name or description, or anywhere. */
    private enum Relevance {
        NAME(new BigDecimal("1.0")),
        NAME_OR_DESCRIPTION(new BigDecimal("0.4")),
        README(new BigDecimal("0.1"));

        final BigDecimal weight;

        Relevance(BigDecimal weight) {
            this.weight = weight;
        }

        /**
         * What a row of this relevance, and of no higher one, meets, with what the word indexes find
         * such rows by: the name's words; all words; below those, one of the words in the README.
         */
        Sql indexed(Words words) {
            return switch (this) {
                case NAME -> words.allIn(IN_NAME);
                case NAME_OR_DESCRIPTION ->
                    words.allIn(ANYWHERE)
                            .and(words.allIn(IN_NAME_OR_DESCRIPTION))
                            .and(words.allIn(IN_NAME).not());
                case README ->
                    words.anyIn(IN_README)
                            .and(words.allIn(ANYWHERE))
                            .and(words.allIn(IN_NAME_OR_DESCRIPTION).not());
            };
        }
    }

    private record Candidate(String name, boolean exact, BigDecimal score) {}

    /**
     * A page of names, and whether the words match anything the viewer may see at all (a page past
     * the last match is empty, yet the words are not to be corrected).
     */
    private record Page(List<String> names, boolean anyMatch) {}

    /** One page of the names the words match, in the query's order. */
    private static Page page(Connection c, Viewer viewer, Query query, Words words) throws SQLException {
        if (query.order() != Order.BEST) {
            List<String> names = ordered(c, viewer, query, words, query.offset(), query.limit());
            return new Page(
                    names,
                    !names.isEmpty()
                            || (query.offset() > 0
                                    && !ordered(c, viewer, query, words, 0, 1).isEmpty()));
        }
        int wanted = query.offset() + query.limit();
        List<Candidate> candidates = new ArrayList<>(exactName(c, viewer, query, words));
        Map<Relevance, List<Candidate>> mostPopular =
                wanted * 10 <= MOST_POPULAR ? mostPopular(c, viewer, query, words) : Map.of();
        for (Relevance relevance : Relevance.values()) {
            List<Candidate> found = mostPopular.getOrDefault(relevance, List.of());
            // fewer than wanted among the most popular: the rest are further down, found by the word indexes
            candidates.addAll(
                    found.size() >= wanted ? found.subList(0, wanted) : indexed(c, viewer, query, words, relevance));
        }
        Map<String, Candidate> best = new LinkedHashMap<>();
        for (Candidate candidate : candidates) {
            best.merge(
                    candidate.name(),
                    candidate,
                    (a, b) -> new Candidate(
                            a.name(), a.exact() || b.exact(), a.score().max(b.score())));
        }
        // every relevance with a match gave at least one candidate
        return new Page(
                best.values().stream()
                        .sorted(Comparator.comparing(Candidate::exact)
                                .reversed()
                                .thenComparing(Candidate::score, Comparator.reverseOrder())
                                .thenComparing(Candidate::name))
                        .skip(query.offset())
                        .limit(query.limit())
                        .map(Candidate::name)
                        .toList(),
                !best.isEmpty());
    }

    private static List<Candidate> exactName(Connection c, Viewer viewer, Query query, Words words)
            throws SQLException {
        try (PreparedStatement select = prepare(
                c, "SELECT name FROM repository_summary WHERE " + FILTERS + " AND name IN (?, 'library/' || ?)")) {
            int i = bindFilters(c, select, 1, viewer, query);
            select.setString(i++, words.text());
            select.setString(i, words.text());
            List<Candidate> found = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(new Candidate(rs.getString(1), true, BigDecimal.ZERO));
                }
            }
            return found;
        }
    }

    /** The matches among the most popular repositories, by relevance, each list in popularity order. */
    private static Map<Relevance, List<Candidate>> mostPopular(Connection c, Viewer viewer, Query query, Words words)
            throws SQLException {
        Sql inName = words.allIn(IN_NAME);
        Sql inNameOrDescription = words.allIn(IN_NAME_OR_DESCRIPTION);
        Sql anywhere = words.allIn(ANYWHERE);
        try (PreparedStatement select = prepare(
                c,
                "SELECT name, popularity, CASE WHEN " + inName.text() + " THEN 0"
                        + " WHEN " + inNameOrDescription.text() + " THEN 1 ELSE 2 END"
                        + " FROM (SELECT * FROM repository_summary ORDER BY popularity DESC, name COLLATE \"C\" LIMIT ?) popular"
                        + " WHERE " + FILTERS + " AND " + anywhere.text()
                        + " ORDER BY popularity DESC, name COLLATE \"C\"")) {
            int i = inNameOrDescription.bind(select, inName.bind(select, 1));
            select.setInt(i++, MOST_POPULAR);
            anywhere.bind(select, bindFilters(c, select, i, viewer, query));
            Map<Relevance, List<Candidate>> found = new LinkedHashMap<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Relevance relevance = Relevance.values()[rs.getInt(3)];
                    found.computeIfAbsent(relevance, r -> new ArrayList<>())
                            .add(new Candidate(rs.getString(1), false, relevance.weight.add(rs.getBigDecimal(2))));
                }
            }
            return found;
        }
    }

    /** The first offset + limit matches of one relevance, in popularity order, found through the word indexes. */
    private static List<Candidate> indexed(Connection c, Viewer viewer, Query query, Words words, Relevance relevance)
            throws SQLException {
        Sql condition = relevance.indexed(words);
        // popularity + 0: ordered by a value the popularity index does not hold, so that the plan starts
        // from the word indexes, whatever the planner guesses of how many rows the words match
        try (PreparedStatement select = prepare(
                c,
                "SELECT name, popularity FROM repository_summary WHERE " + FILTERS + " AND " + condition.text()
                        + " ORDER BY popularity + 0 DESC, name COLLATE \"C\" LIMIT ?")) {
            int i = condition.bind(select, bindFilters(c, select, 1, viewer, query));
            select.setInt(i, query.offset() + query.limit());
            List<Candidate> found = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(new Candidate(rs.getString(1), false, relevance.weight.add(rs.getBigDecimal(2))));
                }
            }
            return found;
        }
    }

    /** A page of the matches ordered by pulls, stars or last push. */
    private static List<String> ordered(Connection c, Viewer viewer, Query query, Words words, int offset, int limit)
            throws SQLException {
        String order = switch (query.order()) {
            case PULLS -> "pulls DESC";
            case STARS -> "stars DESC";
            default -> "last_pushed_at DESC NULLS LAST";
        };
        Sql anywhere = words.allIn(ANYWHERE);
        try (PreparedStatement select = prepare(
                c,
                "SELECT name FROM repository_summary WHERE " + FILTERS + " AND " + anywhere.text() + " ORDER BY "
                        + order + ", name OFFSET ? LIMIT ?")) {
            int i = anywhere.bind(select, bindFilters(c, select, 1, viewer, query));
            select.setInt(i++, offset);
            select.setInt(i, limit);
            List<String> names = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }
    }

    /**
     * The typed words, in their order, each replaced by the nearest word of some repository's name
     * (itself, when it is one) and left out when none is similar.
     */
    private static List<String> corrected(Connection c, Viewer viewer, List<String> lexemes) throws SQLException {
        // Only words of repositories the viewer may see: a private repository's name must not
        // change what anyone else's search answers, not even by crowding out a visible word.
        try (PreparedStatement select = c.prepareStatement("SELECT best.word"
                + " FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS typed(word, position)"
                + " CROSS JOIN LATERAL (SELECT known.word FROM name_word known WHERE known.word % typed.word"
                + " AND EXISTS (SELECT 1 FROM repository_summary WHERE " + Viewer.MAY_SEE
                + " AND name_words @@ CAST(quote_literal(known.word) AS tsquery))"
                + " ORDER BY known.word <-> typed.word, known.word LIMIT 1) best ORDER BY typed.position")) {
            select.setArray(1, c.createArrayOf("text", lexemes.toArray()));
            viewer.bind(c, select, 2);
            List<String> known = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    known.add(rs.getString(1));
                }
            }
            return known;
        }
    }

    /** What a search's rows must be besides a match: visible to the viewer and within the filters. */
    private static final String FILTERS = Viewer.MAY_SEE
            + " AND (CAST(? AS BOOLEAN) IS NULL OR (namespace = 'library') = ?)"
            + " AND (CAST(? AS TEXT) IS NULL OR namespace = ?)"
            + " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM current_tag t JOIN manifest_size m"
            + " ON m.repository = t.repository AND m.digest = t.digest"
            + " WHERE t.repository = name AND ? = ANY (m.platforms)))";

    private static int bindFilters(Connection c, PreparedStatement statement, int index, Viewer viewer, Query query)
            throws SQLException {
        int i = viewer.bind(c, statement, index);
        statement.setObject(i++, query.official(), Types.BOOLEAN);
        statement.setObject(i++, query.official(), Types.BOOLEAN);
        statement.setString(i++, query.organization());
        statement.setString(i++, query.organization());
        statement.setString(i++, query.platform());
        statement.setString(i++, query.platform());
        return i;
    }

    /** A statement planned for its very parameters each time: how many rows the words match decides the plan. */
    private static PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement statement = c.prepareStatement(sql);
        statement.unwrap(PGStatement.class).setPrepareThreshold(0);
        return statement;
    }
}
