import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushes small images the way docker and skopeo do, {@code workers} at a time: for the layer and
 * the config, a HEAD (absent), a POST and a PUT with the bytes; then the manifest PUT under a tag of
 * its own. Every image is new (its own random 4 KiB layer), so each push commits a layer, a config,
 * a manifest and a tag, each answered only once durable.
 *
 * <pre>java bench/ManifestPushes.java BASE_URL REPOSITORY IMAGES WORKERS WARM_UP_IMAGES TOKEN|- [PIDS CLK_TCK]</pre>
 *
 * Prints pushes per second of the measured images, the 99th percentile of one push's time in
 * milliseconds, and, given the registry's process ids and clock ticks per second, its CPU seconds.
 */
public class ManifestPushes {

    private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String repository = args[1];
        int images = Integer.parseInt(args[2]);
        int workers = Integer.parseInt(args[3]);
        int warmUps = Integer.parseInt(args[4]);
        String token = args[5].equals("-") ? null : args[5];
        List<String> pids = args.length > 6 ? List.of(args[6].split(",")) : List.of();
        double ticksPerSecond = args.length > 7 ? Double.parseDouble(args[7]) : 100;

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            run(client, pool, workers, base, repository, "warm", warmUps, token);
            long cpuBefore = cpuTicks(pids);
            long start = System.nanoTime();
            List<Long> times = run(client, pool, workers, base, repository, "push", images, token);
            double seconds = (System.nanoTime() - start) / 1e9;
            Collections.sort(times);
            double p99 = times.get((int) Math.ceil(times.size() * 0.99) - 1) / 1e6;
            System.out.printf("%.1f %.1f %.3f%n", images / seconds, p99, (cpuTicks(pids) - cpuBefore) / ticksPerSecond);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Pushes {@code count} images tagged {@code prefix-N}; the time each push took, in nanoseconds. */
    private static List<Long> run(HttpClient client, ExecutorService pool, int workers, String base, String repository,
                                  String prefix, int count, String token) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<List<Long>>> running = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            running.add(pool.submit(() -> {
                List<Long> times = new ArrayList<>();
                Random random = new Random();
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    long start = System.nanoTime();
                    push(client, base, repository, prefix + "-" + i, random, token);
                    times.add(System.nanoTime() - start);
                }
                return times;
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> worker : running) {
            all.addAll(worker.get());
        }
        return all;
    }

    private static void push(HttpClient client, String base, String repository, String tag, Random random, String token)
            throws Exception {
        byte[] layer = new byte[4096];
        random.nextBytes(layer);
        String layerDigest = blob(client, base, repository, layer, token);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + layerDigest + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = blob(client, base, repository, config, token);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest
                + "\",\"size\":" + layer.length + "}]}";
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(base + "/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", MANIFEST).PUT(HttpRequest.BodyPublishers.ofString(manifest));
        expect(201, client.send(authorized(put, token).build(), HttpResponse.BodyHandlers.ofString()), "manifest PUT");
    }

    /** HEAD (absent), POST, PUT with the bytes: what a client does for a blob the registry lacks. */
    private static String blob(HttpClient client, String base, String repository, byte[] bytes, String token) throws Exception {
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        HttpRequest.Builder head = HttpRequest.newBuilder(URI.create(base + "/v2/" + repository + "/blobs/" + digest))
                .method("HEAD", HttpRequest.BodyPublishers.noBody());
        expect(404, client.send(authorized(head, token).build(), HttpResponse.BodyHandlers.discarding()), "blob HEAD");
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(base + "/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> started = client.send(authorized(post, token).build(), HttpResponse.BodyHandlers.ofString());
        expect(202, started, "upload POST");
        URI target = URI.create(base).resolve(started.headers().firstValue("Location").orElseThrow());
        String separator = target.getQuery() == null ? "?" : "&";
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(target + separator + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        expect(201, client.send(authorized(put, token).build(), HttpResponse.BodyHandlers.ofString()), "upload PUT");
        return digest;
    }

    private static void expect(int status, HttpResponse<?> response, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request, String token) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    /** User and system time of the processes so far, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    private static long cpuTicks(List<String> pids) throws Exception {
        long ticks = 0;
        for (String pid : pids) {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return ticks;
    }
}
