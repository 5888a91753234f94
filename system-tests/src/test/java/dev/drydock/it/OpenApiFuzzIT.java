package dev.drydock.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * A fuzzer generated from the services' own OpenAPI documents ({@code /q/openapi} of registry-api
 * and of audit-service, whose operations the front door serves): for every operation, every
 * parameter (path, query) and every field of its JSON or form body is sent, one at a time, each of
 * a list of hostile values — NUL and other control characters, 10 KB strings, huge and negative
 * numbers, far-future and malformed dates, wrong JSON types — with every other input valid, as the
 * platform admin (so the request reaches the handler's logic, not only the access check). No answer
 * may be a 5xx or take longer than 2 s, and a manifest and a repository written before must be
 * unchanged afterwards. Blob and upload routes are not in the OpenAPI documents (layer-store's
 * routes are Vert.x routes); {@link RouteTableAttackIT} and {@code MalformedRequestsIT} cover them.
 */
class OpenApiFuzzIT {

    private static final Duration LIMIT = Duration.ofSeconds(2);
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String KEPT = "fuzz/kept";
    private static final String TARGET = "fuzz/target";
    private static final String TARGET_MANIFEST =
            "{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[],\"annotations\":{\"a\":\"b\"}}";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Operations with nothing to fuzz whose one call is heavy: a rebuild of every projection. */
    private static final Set<String> SKIPPED = Set.of("POST /api/v1/admin/projections/rebuild");

    private static Platform platform;
    private static HttpClient http;
    private static String adminBasic;
    private static String registryBearer;
    private static String keptDigest;
    private static String keptRepository;
    private static final AtomicInteger sent = new AtomicInteger();

    @BeforeAll
    static void somethingToKeepAndSomethingToAimAt() {
        platform = Platform.get();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        adminBasic = "Basic "
                + Base64.getEncoder().encodeToString(platform.adminCreds().getBytes(StandardCharsets.UTF_8));
        String bearer = platform.adminBearer(KEPT, TARGET);
        front().contentType("application/json")
                .body(Map.of("name", KEPT, "visibility", "private", "description", "kept as it is"))
                .post("/api/v1/repositories")
                .then()
                .statusCode(201);
        keptDigest = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .contentType(INDEX)
                .body("{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[]}")
                .put("/v2/" + KEPT + "/manifests/v1")
                .then()
                .statusCode(201)
                .extract()
                .header("Docker-Content-Digest");
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", bearer)
                .contentType(INDEX)
                .body(TARGET_MANIFEST)
                .put("/v2/" + TARGET + "/manifests/v1")
                .then()
                .statusCode(201);
        front().contentType("application/json")
                .body(Map.of("username", "fuzzuser", "password", "fuzz-password-123"))
                .post("/api/v1/users")
                .then()
                .statusCode(201);
        front().contentType("application/json")
                .body(Map.of("name", "fuzzorg"))
                .post("/api/v1/organizations")
                .then()
                .statusCode(201);
        keptRepository = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> {
                            var response = front().get("/api/v1/repositories/" + KEPT);
                            return response.statusCode() == 200
                                    ? response.jsonPath().getString("description") + "|"
                                            + response.jsonPath().getString("visibility")
                                    : null;
                        },
                        value -> value != null);
    }

    @AfterAll
    static void report() {
        System.out.printf("OpenApiFuzzIT: %d requests sent%n", sent.get());
    }

    @TestFactory
    Stream<DynamicTest> everyOperationTakesHostileInputWithoutA5xxOrAHang() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        List<DynamicTest> deletes = new ArrayList<>(); // last: they take away what the others aim at
        for (int port : new int[] {platform.registryPort, platform.auditPort}) {
            JsonNode document = JSON.readTree(RestAssured.given()
                    .get("http://127.0.0.1:" + port + "/q/openapi?format=json")
                    .asString());
            Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
            while (paths.hasNext()) {
                Map.Entry<String, JsonNode> path = paths.next();
                Iterator<Map.Entry<String, JsonNode>> operations =
                        path.getValue().fields();
                while (operations.hasNext()) {
                    Map.Entry<String, JsonNode> operation = operations.next();
                    String method = operation.getKey().toUpperCase();
                    String name = method + " " + path.getKey();
                    if (!Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE").contains(method)
                            || SKIPPED.contains(name)) {
                        continue;
                    }
                    Operation op = new Operation(method, path.getKey(), operation.getValue(), document);
                    (method.equals("DELETE") ? deletes : tests).add(DynamicTest.dynamicTest(name, () -> fuzz(op)));
                }
            }
        }
        tests.addAll(deletes);
        assertTrue(tests.size() >= 35, "the OpenAPI documents list too few operations: " + tests.size());
        return tests.stream();
    }

    private static void fuzz(Operation op) throws Exception {
        // a fresh registry token for each operation: the whole fuzz outlasts one token's lifetime
        registryBearer = platform.adminBearer(TARGET);
        // and the target as the fuzz of the operations before left it, put back (a delete among them)
        RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", registryBearer)
                .contentType(INDEX)
                .body(TARGET_MANIFEST)
                .put("/v2/" + TARGET + "/manifests/v1")
                .then()
                .statusCode(201);
        List<String> failures = new ArrayList<>();
        int valid = send(op, op.validPath(), op.validQuery(), op.validBody(), "valid input", failures);
        // the fuzz must reach each handler's own logic, not stop at the access check
        if (valid == 401 || valid == 403) {
            failures.add(
                    "valid input as the admin was refused (" + valid + "): the fuzz would test only the access check");
        }
        for (String parameter : op.pathParameters()) {
            for (String hostile : hostileStrings()) {
                Map<String, String> values = op.validPathValues();
                values.put(parameter, hostile);
                send(op, op.path(values), op.validQuery(), op.validBody(), parameter + "=" + shown(hostile), failures);
            }
        }
        for (String parameter : op.queryParameters()) {
            for (String hostile : hostileStrings()) {
                Map<String, String> query = new LinkedHashMap<>(op.validQueryValues());
                query.put(parameter, hostile);
                send(
                        op,
                        op.validPath(),
                        Operation.query(query),
                        op.validBody(),
                        "?" + parameter + "=" + shown(hostile),
                        failures);
            }
        }
        for (String field : op.bodyFields()) {
            for (JsonNode hostile : hostileJson()) {
                send(
                        op,
                        op.validPath(),
                        op.validQuery(),
                        op.bodyWith(field, hostile),
                        field + ":" + shown(hostile.toString()),
                        failures);
            }
        }
        if (op.hasBody()) {
            for (String body : List.of(
                    "", "null", "[]", "\"text\"", "{", "{\"a\":\"\u0000\"}", "{\"a\":1e999999}", "x".repeat(10_240))) {
                send(op, op.validPath(), op.validQuery(), body, "body " + shown(body), failures);
            }
        }
        assertTrue(failures.isEmpty(), op.method + " " + op.template + ":\n  " + String.join("\n  ", failures));
        assertKeptUnchanged();
    }

    /** What one request got: its status (0: none), how long it took, and what is wrong with it (null: nothing). */
    private record Answer(int status, Duration took, String problem) {
        boolean onlySlow() {
            return status > 0 && status < 500 && took.compareTo(LIMIT) > 0;
        }
    }

    /**
     * Sends one request; returns its status (0 when there was no answer) and notes what is wrong
     * with it. An answer slower than the limit is sent once more (a pause of this 2-core machine's
     * JIT or collector is not the service hanging); slow twice is a failure.
     */
    private static int send(Operation op, String path, String query, String body, String variant, List<String> failures)
            throws InterruptedException {
        Answer answer = sendOnce(op, path, query, body);
        if (answer.onlySlow()) {
            variant += " (sent again)";
            answer = sendOnce(op, path, query, body);
        }
        if (answer.problem() != null) {
            failures.add(variant + ": " + answer.problem());
        }
        return answer.status();
    }

    private static Answer sendOnce(Operation op, String path, String query, String body) throws InterruptedException {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create("http://" + platform.registry() + path + query))
                    .timeout(Duration.ofSeconds(10));
        } catch (IllegalArgumentException e) {
            return new Answer(0, Duration.ZERO, "the fuzzer built no valid URI: " + e.getMessage());
        }
        int n = sent.incrementAndGet();
        // a client address of its own for each request (the test runs on loopback, a trusted proxy):
        // the fuzz's failed sign-ins must not hold back other tests' sign-ins from 127.0.0.1
        request.header("X-Forwarded-For", "198.18." + (n / 250 % 250) + "." + (n % 250 + 1));
        request.header("Authorization", path.startsWith("/v2") ? registryBearer : adminBasic);
        String type = op.form
                ? "application/x-www-form-urlencoded"
                : path.contains("/manifests/") ? INDEX : "application/json";
        if (body != null) {
            request.header("Content-Type", type);
        }
        request.method(
                op.method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        long start = System.nanoTime();
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String problem = response.statusCode() >= 500
                    ? response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8)
                    : took.compareTo(LIMIT) > 0
                            ? "answered " + response.statusCode() + " after " + took.toMillis() + " ms"
                            : null;
            return new Answer(response.statusCode(), took, problem);
        } catch (HttpTimeoutException e) {
            return new Answer(0, Duration.ofSeconds(10), "no answer within 10 s");
        } catch (IOException e) {
            return new Answer(0, Duration.ofNanos(System.nanoTime() - start), "the connection failed: " + e);
        }
    }

    private static void assertKeptUnchanged() {
        var manifest = RestAssured.given()
                .baseUri("http://" + platform.registry())
                .header("Authorization", platform.adminBearer(KEPT))
                .accept(INDEX)
                .get("/v2/" + KEPT + "/manifests/v1");
        assertEquals(200, manifest.statusCode(), "the kept manifest is gone");
        assertEquals(keptDigest, manifest.header("Docker-Content-Digest"), "the kept tag moved");
        var repository = front().get("/api/v1/repositories/" + KEPT);
        assertEquals(200, repository.statusCode());
        assertEquals(
                keptRepository,
                repository.jsonPath().getString("description") + "|"
                        + repository.jsonPath().getString("visibility"));
    }

    private static io.restassured.specification.RequestSpecification front() {
        return RestAssured.given()
                .baseUri("http://" + platform.registry())
                .auth()
                .preemptive()
                .basic(Platform.ADMIN, platform.adminPassword);
    }

    private static List<String> hostileStrings() {
        return List.of(
                "\u0000",
                "a\u0000b",
                "\u0001\u001f\u007f",
                "\r\nX-Injected: 1",
                "x".repeat(10_240),
                "99999999999999999999999",
                "-1",
                "-9223372036854775809",
                "1e999999",
                "NaN",
                "+999999999-12-31T23:59:59Z",
                "0000-00-00T00:00:00Z",
                "../../../etc/passwd",
                "' OR '1'='1",
                "%00",
                "\uD83D\uDC33",
                "");
    }

    private static List<JsonNode> hostileJson() {
        List<JsonNode> values = new ArrayList<>();
        hostileStrings().forEach(s -> values.add(NODES.textNode(s)));
        values.add(NODES.numberNode(new java.math.BigDecimal("1e400")));
        values.add(NODES.numberNode(new java.math.BigInteger("-99999999999999999999999")));
        values.add(NODES.numberNode(-1));
        values.add(NODES.booleanNode(true));
        values.add(NODES.nullNode());
        values.add(NODES.arrayNode());
        values.add(NODES.arrayNode().add(NODES.nullNode()));
        values.add(NODES.arrayNode().add("\u0000"));
        values.add(NODES.objectNode().put("a", "b"));
        return values;
    }

    private static String shown(String value) {
        String escaped = value.length() > 40 ? value.substring(0, 20) + "…(" + value.length() + " chars)" : value;
        StringBuilder out = new StringBuilder();
        escaped.codePoints()
                .forEach(c -> out.append(
                        c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : new String(Character.toChars(c))));
        return out.toString();
    }

    /** One operation of an OpenAPI document and the valid input it is fuzzed around. */
    private static final class Operation {

        final String method;
        final String template;
        final JsonNode spec;
        final JsonNode document;
        final boolean form;
        final JsonNode bodySchema;

        Operation(String method, String template, JsonNode spec, JsonNode document) {
            this.method = method;
            this.template = template;
            this.spec = spec;
            this.document = document;
            JsonNode content = spec.path("requestBody").path("content");
            this.form = content.has("application/x-www-form-urlencoded");
            JsonNode schema = content.has("application/json")
                    ? content.path("application/json").path("schema")
                    : content.path("application/x-www-form-urlencoded").path("schema");
            this.bodySchema =
                    method.equals("PUT") && template.endsWith("/manifests/{reference}") ? MANIFEST : resolve(schema);
        }

        /** The manifest body's fields (the document calls it binary): an image index, fuzzed field by field. */
        private static final JsonNode MANIFEST = NODES.objectNode()
                .set(
                        "properties",
                        NODES.objectNode()
                                .<ObjectNode>set(
                                        "schemaVersion", NODES.objectNode().put("type", "integer"))
                                .<ObjectNode>set("mediaType", NODES.objectNode().put("type", "string"))
                                .<ObjectNode>set("manifests", NODES.objectNode().put("type", "array"))
                                .<ObjectNode>set(
                                        "artifactType", NODES.objectNode().put("type", "string"))
                                .set("annotations", NODES.objectNode().put("type", "object")));

        List<String> parameters(String in) {
            List<String> names = new ArrayList<>();
            spec.path("parameters").forEach(p -> {
                if (p.path("in").asText().equals(in)) {
                    names.add(p.path("name").asText());
                }
            });
            return names;
        }

        List<String> pathParameters() {
            return parameters("path");
        }

        List<String> queryParameters() {
            return parameters("query");
        }

        Map<String, String> validPathValues() {
            Map<String, String> values = new LinkedHashMap<>();
            for (String name : pathParameters()) {
                values.put(
                        name,
                        switch (name) {
                            case "name" -> TARGET;
                            case "reference", "tag" -> "v1";
                            case "digest" -> keptDigest;
                            case "organization" -> "fuzzorg";
                            case "username" -> "fuzzuser";
                            case "team" -> "fuzzteam";
                            case "id" -> "00000000-0000-0000-0000-000000000000";
                            default -> "fuzz";
                        });
            }
            return values;
        }

        String validPath() {
            return path(validPathValues());
        }

        /** The path with these values; the repository name keeps its slashes, everything else is percent-encoded whole. */
        String path(Map<String, String> values) {
            String path = template;
            for (Map.Entry<String, String> value : values.entrySet()) {
                String encoded = value.getValue().equals(TARGET) ? TARGET : encode(value.getValue());
                path = path.replace("{" + value.getKey() + "}", encoded);
            }
            return path;
        }

        Map<String, String> validQueryValues() {
            Map<String, String> values = new LinkedHashMap<>();
            if (template.equals("/token")) {
                values.put("service", "drydock");
            }
            return values;
        }

        String validQuery() {
            return query(validQueryValues());
        }

        static String query(Map<String, String> values) {
            if (values.isEmpty()) {
                return "";
            }
            List<String> pairs = new ArrayList<>();
            values.forEach((k, v) -> pairs.add(encode(k) + "=" + encode(v)));
            return "?" + String.join("&", pairs);
        }

        boolean hasBody() {
            return !bodySchema.isMissingNode() && bodySchema.has("properties");
        }

        List<String> bodyFields() {
            List<String> fields = new ArrayList<>();
            if (hasBody()) {
                bodySchema.path("properties").fieldNames().forEachRemaining(fields::add);
            }
            return fields;
        }

        ObjectNode validBodyNode() {
            ObjectNode body = NODES.objectNode();
            for (String field : bodyFields()) {
                JsonNode schema = resolve(bodySchema.path("properties").path(field));
                body.set(field, validValue(field, schema));
            }
            return body;
        }

        String validBody() {
            return hasBody() ? render(validBodyNode()) : null;
        }

        String bodyWith(String field, JsonNode value) {
            ObjectNode body = validBodyNode();
            body.set(field, value);
            return render(body);
        }

        private String render(ObjectNode body) {
            if (!form) {
                return body.toString();
            }
            List<String> pairs = new ArrayList<>();
            body.fields()
                    .forEachRemaining(e -> pairs.add(encode(e.getKey()) + "="
                            + encode(
                                    e.getValue().isTextual()
                                            ? e.getValue().asText()
                                            : e.getValue().toString())));
            return String.join("&", pairs);
        }

        private JsonNode validValue(String field, JsonNode schema) {
            if (bodySchema == MANIFEST) {
                return switch (field) {
                    case "schemaVersion" -> NODES.numberNode(2);
                    case "mediaType" -> NODES.textNode(INDEX);
                    case "manifests" -> NODES.arrayNode();
                    case "artifactType" -> NODES.textNode("application/vnd.drydock.fuzz");
                    default -> NODES.objectNode().put("drydock.test/fuzz", "1");
                };
            }
            if (schema.path("type").asText().equals("array")) {
                ArrayNode array = NODES.arrayNode();
                array.add(field.equals("members") ? "fuzzuser" : TARGET);
                return array;
            }
            if (schema.path("type").asText().equals("boolean")) {
                return NODES.booleanNode(false);
            }
            if (schema.path("type").asText().equals("integer")) {
                return NODES.numberNode(1);
            }
            return NODES.textNode(
                    switch (field) {
                        case "username" -> template.equals("/api/v1/users") ? "fuzznobody" : "fuzzuser";
                        case "password" -> "fuzz-password-123";
                        case "name" ->
                            template.contains("organizations")
                                    ? "fuzzorg2"
                                    : template.contains("repositories") ? "fuzz/created" : "fuzz-token";
                        case "visibility" -> "private";
                        case "role" -> "member";
                        case "scope" -> template.equals("/token") ? "repository:" + TARGET + ":pull" : "read";
                        case "expiresAt" -> "2030-01-01T00:00:00Z";
                        case "digest" -> keptDigest;
                        case "grant_type" -> "password";
                        case "refresh_token", "refreshToken" -> "not-a-refresh-token";
                        case "access_type" -> "online";
                        default -> "fuzz";
                    });
        }

        private JsonNode resolve(JsonNode schema) {
            String ref = schema.path("$ref").asText("");
            if (ref.startsWith("#/components/schemas/")) {
                return document.path("components")
                        .path("schemas")
                        .path(ref.substring("#/components/schemas/".length()));
            }
            return schema;
        }

        private static String encode(String value) {
            return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }
}
