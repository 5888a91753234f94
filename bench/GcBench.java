import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Garbage collection of a large store while pushes and pulls go on (issue 18's benchmark). Fills a
 * running Drydock with {@code blobs} small blobs (200 bytes; 32 uploads at a time), half referenced by tagged manifests (50 layers
 * each) and half by nothing, then measures a push/pull load (8 threads: a pull is a manifest GET
 * and a blob GET of a kept image, a push a new blob and a manifest referencing it) for
 * {@code seconds} without a collection, and again while {@code POST /api/v1/system/gc} runs.
 * Afterwards every kept image's blobs are read back and their digests checked.
 *
 * <pre>java bench/GcBench.java BASE_URL ADMIN_PASSWORD BLOBS SECONDS</pre>
 *
 * Drydock must run with a short grace period ({@code DRYDOCK_GC_GRACE=PT5S}, as bench/gc.sh does),
 * so that the unreferenced half is garbage by the time the collection starts.
 */
public class GcBench {

    private static final String REPOSITORY = "bench/gc";
    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final int LAYERS_PER_IMAGE = 50;
    private static final int WORKERS = 8;
    /** Filling waits mostly on fsync (each upload and each commit is durable): more at once, more per flush. */
    private static final int FILL_WORKERS = 32;

    private static String base;
    private static String adminPassword;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static volatile String token;
    private static volatile long tokenAt;

    public static void main(String[] args) throws Exception {
        base = args[0];
        adminPassword = args[1];
        int blobs = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);

        long started = System.nanoTime();
        List<String> kept = fill(blobs);
        double fillSeconds = (System.nanoTime() - started) / 1e9;
        System.err.printf("filled %d blobs (%d images) in %.0f s%n", blobs, kept.size(), fillSeconds);
        Thread.sleep(6000); // past the grace period

        Load warmUp = load(kept, seconds / 2, new AtomicBoolean(false));
        Load without = load(kept, seconds, new AtomicBoolean(false));
        AtomicBoolean collecting = new AtomicBoolean(true);
        AtomicLong gcNanos = new AtomicLong();
        String[] report = new String[1];
        Thread gc = new Thread(() -> {
            long start = System.nanoTime();
            try {
                int collections = collections();
                HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/system/gc"))
                        .header("Authorization", basic()).header("Content-Type", "application/json")
                        .timeout(Duration.ofMinutes(60)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                report[0] = answer.statusCode() + " " + answer.body().replaceAll("\"links\":\\[[^]]*]", "\"links\":[…]");
                // 202: still running after registry-api's wait; it ends with its storage.garbage_collected event
                while (answer.statusCode() == 202 && collections() == collections) {
                    Thread.sleep(500);
                }
                if (answer.statusCode() == 202) {
                    report[0] += "; then the audit log: " + lastCollection();
                }
            } catch (Exception e) {
                report[0] = "failed: " + e;
            } finally {
                gcNanos.set(System.nanoTime() - start);
                collecting.set(false);
            }
        });
        gc.start();
        Load during = load(kept, Integer.MAX_VALUE, collecting);
        gc.join();
        int checked = verify(kept);

        System.out.printf("| blobs | garbage | fill | GC time | load without GC | load during GC | throughput ratio | p99 without | p99 during | p99 ratio | errors |%n");
        System.out.printf("|---|---|---|---|---|---|---|---|---|---|---|%n");
        System.out.printf("| %d | %d | %.0f s | %.1f s | %.0f ops/s | %.0f ops/s | %.2f× | %.1f ms | %.1f ms | %.2f× | %d |%n",
                blobs, blobs - kept.size() * LAYERS_PER_IMAGE, fillSeconds, gcNanos.get() / 1e9,
                without.rate(), during.rate(), during.rate() / without.rate(), without.p99(), during.p99(),
                during.p99() / without.p99(), without.errors() + during.errors());
        System.out.printf("%nwarm-up: %.0f ops/s, p99 %.1f ms; during GC %d ops over %.1f s; kept images verified: %d; GC answered %s%n",
                warmUp.rate(), warmUp.p99(), during.ops(), during.seconds(), checked, report[0]);
    }

    /** How many collections the audit log records so far. */
    private static int collections() throws Exception {
        HttpResponse<String> audit = HTTP.send(HttpRequest.newBuilder(URI.create(base
                        + "/api/v1/audit?repository=layer-store&type=dev.drydock.storage.garbage_collected&limit=500"))
                .header("Authorization", basic()).GET().build(), HttpResponse.BodyHandlers.ofString());
        return audit.body().split("\"type\":").length - 1;
    }

    /** The newest collection's report, as the audit log holds it. */
    private static String lastCollection() throws Exception {
        HttpResponse<String> audit = HTTP.send(HttpRequest.newBuilder(URI.create(base
                        + "/api/v1/audit?repository=layer-store&type=dev.drydock.storage.garbage_collected&limit=1"))
                .header("Authorization", basic()).GET().build(), HttpResponse.BodyHandlers.ofString());
        String body = audit.body();
        int data = body.indexOf("\"data\":");
        return data < 0 ? body : body.substring(data, body.indexOf('}', data) + 1);
    }

    /** The manifest digests of the kept images, each referencing 50 blobs; as many blobs again are left unreferenced. */
    private static List<String> fill(int blobs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(FILL_WORKERS);
        List<Future<String>> images = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        int imagesWanted = blobs / 2 / LAYERS_PER_IMAGE;
        for (int i = 0; i < blobs / LAYERS_PER_IMAGE; i++) {
            boolean keep = i < imagesWanted;
            int image = i;
            images.add(pool.submit(() -> {
                List<String> layers = new ArrayList<>();
                for (int l = 0; l < LAYERS_PER_IMAGE; l++) {
                    layers.add(upload(randomBytes(200)));
                }
                if (done.addAndGet(LAYERS_PER_IMAGE) % 10_000 == 0) {
                    System.err.printf("%d blobs uploaded%n", done.get());
                }
                return keep ? pushImage("keep-" + image, layers) : null;
            }));
        }
        List<String> kept = new ArrayList<>();
        for (Future<String> image : images) {
            String digest = image.get();
            if (digest != null) {
                kept.add(digest);
            }
        }
        pool.shutdown();
        return kept;
    }

    record Load(long ops, double seconds, double p99, long errors) {
        double rate() {
            return ops / seconds;
        }
    }

    /** The push/pull load for {@code seconds}, or while {@code until} holds when it is set. */
    private static Load load(List<String> kept, int seconds, AtomicBoolean until) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds == Integer.MAX_VALUE ? 3600 : seconds).toNanos();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            workers.add(pool.submit(() -> {
                for (int i = 0; System.nanoTime() < end && (seconds != Integer.MAX_VALUE || until.get()); i++) {
                    long t = System.nanoTime();
                    try {
                        if (i % 2 == 0) {
                            String digest = kept.get(ThreadLocalRandom.current().nextInt(kept.size()));
                            String manifest = get("/v2/" + REPOSITORY + "/manifests/" + digest);
                            String layer = manifest.substring(manifest.indexOf("\"layers\""));
                            layer = layer.substring(layer.indexOf("sha256:"), layer.indexOf("sha256:") + 71);
                            get("/v2/" + REPOSITORY + "/blobs/" + layer);
                        } else {
                            pushImage("load-" + worker + "-" + i, List.of(upload(randomBytes(200))));
                        }
                        latencies.add(System.nanoTime() - t);
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p99 = sorted.isEmpty() ? 0 : sorted.get((int) (sorted.size() * 0.99)) / 1e6;
        return new Load(sorted.size(), elapsed, p99, errors.get());
    }

    /** Reads every layer of every kept image and checks its digest; returns how many images were checked. */
    private static int verify(List<String> kept) throws Exception {
        int checked = 0;
        for (String digest : kept) {
            String manifest = get("/v2/" + REPOSITORY + "/manifests/" + digest);
            int at = manifest.indexOf("\"layers\"");
            while ((at = manifest.indexOf("sha256:", at + 1)) > 0) {
                String layer = manifest.substring(at, at + 71);
                HttpResponse<byte[]> blob = HTTP.send(request("/v2/" + REPOSITORY + "/blobs/" + layer).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (blob.statusCode() != 200 || !sha256(blob.body()).equals(layer)) {
                    throw new IllegalStateException("kept blob " + layer + " of " + digest + " answered " + blob.statusCode());
                }
            }
            checked++;
        }
        return checked;
    }

    private static String upload(byte[] bytes) throws Exception {
        String digest = sha256(bytes);
        HttpResponse<String> put = HTTP.send(request("/v2/" + REPOSITORY + "/blobs/uploads/?digest=" + digest)
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 201) {
            throw new IllegalStateException("upload answered " + put.statusCode() + ": " + put.body());
        }
        return digest;
    }

    private static String pushImage(String tag, List<String> layers) throws Exception {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                + "\"history\":[{\"created_by\":\"" + tag + " " + System.nanoTime() + "\"}]}").getBytes(StandardCharsets.UTF_8);
        String configDigest = upload(config);
        StringBuilder manifest = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":"
                + config.length + "},\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            manifest.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"")
                    .append(layers.get(i)).append("\",\"size\":200}");
        }
        manifest.append("]}");
        HttpResponse<String> put = HTTP.send(request("/v2/" + REPOSITORY + "/manifests/" + tag).header("Content-Type", MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofString(manifest.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (put.statusCode() != 201) {
            throw new IllegalStateException("manifest PUT answered " + put.statusCode() + ": " + put.body());
        }
        return put.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> answer = HTTP.send(request(path).header("Accept", MANIFEST).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + answer.statusCode());
        }
        return answer.body();
    }

    private static HttpRequest.Builder request(String path) throws Exception {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token());
    }

    /** The admin's registry token for the repository, renewed every three minutes (they live five). */
    private static synchronized String token() throws Exception {
        if (token == null || System.nanoTime() - tokenAt > Duration.ofMinutes(3).toNanos()) {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(base
                            + "/token?service=drydock&scope=repository:" + REPOSITORY + ":pull,push,delete"))
                    .header("Authorization", basic()).GET().build(), HttpResponse.BodyHandlers.ofString());
            String body = answer.body();
            int at = body.indexOf("\"token\":\"") + 9;
            token = body.substring(at, body.indexOf('"', at));
            tokenAt = System.nanoTime();
        }
        return token;
    }

    private static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + adminPassword).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
