package dev.drydock.audit.repository;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drydock.audit.AuditConfig;
import dev.drydock.audit.RegistryTopic;
import dev.drydock.audit.access.ViewerTokens;
import dev.drydock.events.EventData;
import dev.drydock.events.RegistryEvents;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Search's best-match order, computed along the popularity index and the word indexes, is the
 * order the ranking rule defines, checked against the rule computed here over every repository;
 * popularity counts the pulls of the last 30 days only.
 */
@QuarkusTest
class SearchRankingTest {

    @Inject
    AuditConfig config;

    @Inject
    AgroalDataSource dataSource;

    private RegistryTopic topic;

    @BeforeEach
    void connect() {
        topic = new RegistryTopic(config);
    }

    @AfterEach
    void close() {
        topic.close();
    }

    private void send(String repository, EventData data, Instant at) {
        topic.append(repository, data, at);
    }

    /** A generated repository and what the ranking rule needs of it. */
    private record Generated(
            String name,
            boolean visible,
            Set<String> nameWords,
            Set<String> descriptionWords,
            Set<String> readmeWords,
            long recentPulls) {}

    @Test
    void theBestMatchOrderIsTheRankingRulesOverEveryRepository() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        List<String> vocabulary = List.of("apple", "berry", "cherry", "delta", "echo").stream()
                .map(w -> w + suffix)
                .toList();
        String rare = "zulu" + suffix;
        Random random = new Random(11);
        List<Generated> generated = new ArrayList<>();
        Instant now = Instant.now();
        // more repositories than search reads along the popularity index, so both ways are taken
        for (int i = 0; i < RepositorySearch.MOST_POPULAR + 500; i++) {
            String first = vocabulary.get(random.nextInt(5));
            String second = i % 97 == 0 ? rare : vocabulary.get(random.nextInt(5));
            String name = "rank" + suffix + "/" + first + "-" + second + "-" + i;
            String describedA = vocabulary.get(random.nextInt(5));
            String describedB = i % 89 == 0 ? rare : vocabulary.get(random.nextInt(5));
            String readme = random.nextInt(4) == 0 ? "" : (i % 83 == 0 ? rare : vocabulary.get(random.nextInt(5)));
            boolean visible = random.nextInt(10) > 0;
            long pulls = random.nextInt(3) == 0 ? 0 : random.nextInt(2000);
            send(name, new RegistryEvents.RepositoryCreated(name, visible ? "public" : "private"), now);
            send(
                    name,
                    new RegistryEvents.DescriptionChanged(name, "the " + describedA + " and " + describedB, readme),
                    now);
            if (pulls > 0) {
                send(
                        name,
                        new RegistryEvents.ImagePulled(
                                name,
                                "v1",
                                "sha256:" + "b".repeat(64),
                                "application/vnd.oci.image.manifest.v1+json",
                                true,
                                (int) pulls),
                        now);
            }
            generated.add(new Generated(
                    name,
                    visible,
                    new HashSet<>(List.of("rank" + suffix, first, second, String.valueOf(i))),
                    new HashSet<>(List.of("the", "and", describedA, describedB)),
                    readme.isEmpty() ? Set.of() : Set.of(readme),
                    pulls));
        }
        topic.flush();
        long expectedPulls =
                generated.stream().mapToLong(Generated::recentPulls).sum();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertEquals(
                        List.of((long) generated.size(), (long) generated.size(), expectedPulls),
                        projected("rank" + suffix)));

        String deltaBeginning = vocabulary.get(3).substring(0, 7);
        for (String words : List.of(
                vocabulary.get(0),
                vocabulary.get(1) + " " + vocabulary.get(2),
                rare,
                vocabulary.get(4) + " " + rare,
                deltaBeginning)) {
            for (int[] page : new int[][] {{0, 25}, {30, 10}, {0, 100}, {200, 25}}) {
                List<String> expected = ranked(generated, words, deltaBeginning.equals(words)).stream()
                        .skip(page[0])
                        .limit(page[1])
                        .toList();
                List<String> found = given().header("Authorization", ViewerTokens.anonymous())
                        .queryParam("q", words)
                        .queryParam("offset", page[0])
                        .queryParam("limit", page[1])
                        .get("/api/v1/search")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("name", String.class);
                assertEquals(expected, found, "q=" + words + " offset=" + page[0] + " limit=" + page[1]);
            }
        }
    }

    /** Repositories of the namespace, those with a description, and their recent pulls, as projected. */
    private List<Long> projected(String namespace) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement select =
                        c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE description <> ''),"
                                + " coalesce(sum(recent_pulls), 0) FROM repository_summary WHERE namespace = ?")) {
            select.setString(1, namespace);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    /** The ranking rule of {@link RepositorySearch}, over every generated repository an anonymous viewer may see. */
    private static List<String> ranked(List<Generated> repositories, String words, boolean beginnings) {
        List<String> typed = Arrays.asList(words.split(" "));
        record Scored(String name, BigDecimal score) {}
        List<Scored> scored = new ArrayList<>();
        for (Generated repository : repositories) {
            Set<String> nameOrDescription = new HashSet<>(repository.nameWords());
            nameOrDescription.addAll(repository.descriptionWords());
            Set<String> anywhere = new HashSet<>(nameOrDescription);
            anywhere.addAll(repository.readmeWords());
            BigDecimal relevance = containsAll(repository.nameWords(), typed, beginnings)
                    ? new BigDecimal("1.0")
                    : containsAll(nameOrDescription, typed, beginnings)
                            ? new BigDecimal("0.4")
                            : containsAll(anywhere, typed, beginnings) ? new BigDecimal("0.1") : null;
            if (repository.visible() && relevance != null) {
                BigDecimal popularity = new BigDecimal(0.05 * Math.log(1 + repository.recentPulls()))
                        .round(new MathContext(15))
                        .setScale(2, RoundingMode.HALF_UP);
                scored.add(new Scored(repository.name(), relevance.add(popularity)));
            }
        }
        return scored.stream()
                .sorted(Comparator.comparing(Scored::score, Comparator.reverseOrder())
                        .thenComparing(Scored::name))
                .map(Scored::name)
                .toList();
    }

    private static boolean containsAll(Set<String> words, List<String> typed, boolean beginnings) {
        return typed.stream()
                .allMatch(t -> beginnings ? words.stream().anyMatch(w -> w.startsWith(t)) : words.contains(t));
    }

    @Test
    void popularityCountsThePullsOfTheLast30DaysAndTheExactNameComesFirst() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String word = "pop" + suffix;
        String longAgo = "recent" + suffix + "/" + word + "-long-ago";
        String lately = "recent" + suffix + "/" + word + "-lately";
        String described = "recent" + suffix + "/described";
        Instant now = Instant.now();
        for (String name : List.of(longAgo, lately, described)) {
            send(name, new RegistryEvents.RepositoryCreated(name, "public"), now);
        }
        send(described, new RegistryEvents.DescriptionChanged(described, "the " + word + " image", ""), now);
        String digest = "sha256:" + "c".repeat(64);
        String mediaType = "application/vnd.oci.image.manifest.v1+json";
        send(
                longAgo,
                new RegistryEvents.ImagePulled(longAgo, "v1", digest, mediaType, true, 1000),
                now.minus(40, ChronoUnit.DAYS));
        send(
                lately,
                new RegistryEvents.ImagePulled(lately, "v1", digest, mediaType, true, 3),
                now.minus(2, ChronoUnit.DAYS));
        send(lately, new RegistryEvents.ImagePulled(lately, "v1", digest, mediaType, true, 2), now);
        topic.flush();

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> given().header("Authorization", ViewerTokens.anonymous())
                        .get("/api/v1/repositories/" + longAgo)
                        .then()
                        .statusCode(200)
                        .body("pulls", equalTo(1000))
                        .body("recentPulls", equalTo(0)));
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> given().header("Authorization", ViewerTokens.anonymous())
                        .get("/api/v1/repositories/" + lately)
                        .then()
                        .statusCode(200)
                        .body("pulls", equalTo(5))
                        .body("recentPulls", equalTo(5)));
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> given().header("Authorization", ViewerTokens.anonymous())
                        .queryParam("q", word)
                        .get("/api/v1/search")
                        .then()
                        .statusCode(200)
                        .body("name", equalTo(List.of(lately, longAgo, described))));
        // a word's beginning finds it too; the exact name goes first whatever its popularity
        given().header("Authorization", ViewerTokens.anonymous())
                .queryParam("q", word.substring(0, 5))
                .get("/api/v1/search")
                .then()
                .statusCode(200)
                .body("name", equalTo(List.of(lately, longAgo, described)));
        given().header("Authorization", ViewerTokens.anonymous())
                .queryParam("q", longAgo)
                .get("/api/v1/search")
                .then()
                .statusCode(200)
                .body("[0].name", equalTo(longAgo));
        // a page past the last match is empty: the words matched, so they are not corrected or widened
        for (String words : List.of(word, word.substring(0, 5))) {
            for (String sort : List.of("best", "pulls")) {
                given().header("Authorization", ViewerTokens.anonymous())
                        .queryParam("q", words)
                        .queryParam("sort", sort)
                        .queryParam("offset", 3)
                        .get("/api/v1/search")
                        .then()
                        .statusCode(200)
                        .body("name", equalTo(List.of()));
                given().header("Authorization", ViewerTokens.anonymous())
                        .queryParam("q", words)
                        .queryParam("sort", sort)
                        .queryParam("offset", 2)
                        .get("/api/v1/search")
                        .then()
                        .statusCode(200)
                        .body("size()", equalTo(1));
            }
        }
    }

    @Test
    void pullsStopBeingRecentWhenTheWindowMovesPastTheirDay() {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String pulled = "window" + suffix + "/pulled";
        String later = "window" + suffix + "/later";
        Instant now = Instant.now();
        send(pulled, new RegistryEvents.RepositoryCreated(pulled, "public"), now);
        send(
                pulled,
                new RegistryEvents.ImagePulled(
                        pulled,
                        "v1",
                        "sha256:" + "d".repeat(64),
                        "application/vnd.oci.image.manifest.v1+json",
                        true,
                        7),
                now.minus(25, ChronoUnit.DAYS));
        topic.flush();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> given().header("Authorization", ViewerTokens.anonymous())
                        .get("/api/v1/repositories/" + pulled)
                        .then()
                        .statusCode(200)
                        .body("pulls", equalTo(7))
                        .body("recentPulls", equalTo(7)));

        // any event of a later day moves the window on: 25 days ago is then 35 days before its end
        send(later, new RegistryEvents.RepositoryCreated(later, "public"), now.plus(10, ChronoUnit.DAYS));
        topic.flush();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> given().header("Authorization", ViewerTokens.anonymous())
                        .get("/api/v1/repositories/" + pulled)
                        .then()
                        .statusCode(200)
                        .body("pulls", equalTo(7))
                        .body("recentPulls", equalTo(0)));
    }
}
