import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Uploads every file of a directory as a blob, the way clients push a layer: POST to start an
 * upload, then PUT the bytes with {@code ?digest=} to the Location the POST answered, and checks
 * that the PUT answered 201 Created. One process, keep-alive connections, {@code workers} uploads
 * at a time: the client costs little next to the registry (curl processes spawned per upload
 * cost more than the registries being measured).
 *
 * <pre>java bench/SmallUploads.java BASE_URL REPOSITORY DIR WORKERS WARM_UP_ROUNDS TOKEN|- [PIDS CLK_TCK]</pre>
 *
 * Each warm-up round first uploads, untimed, the files with their first byte changed (other blobs,
 * the same repository). Prints the seconds the measured round took and, given the registry's process
 * ids (comma-separated) and the clock ticks per second, the CPU seconds they spent in it.
 */
public class SmallUploads {

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String repository = args[1];
        Path dir = Path.of(args[2]);
        int workers = Integer.parseInt(args[3]);
        int warmUps = Integer.parseInt(args[4]);
        String token = args[5].equals("-") ? null : args[5];
        List<String> pids = args.length > 6 ? List.of(args[6].split(",")) : List.of();
        double ticksPerSecond = args.length > 7 ? Double.parseDouble(args[7]) : 100;

        List<byte[]> blobs = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                blobs.add(Files.readAllBytes(file));
            }
        }
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            for (int round = 1; round <= warmUps; round++) {
                List<byte[]> others = new ArrayList<>();
                for (byte[] blob : blobs) {
                    byte[] other = blob.clone();
                    other[0] ^= (byte) round;
                    others.add(other);
                }
                run(client, pool, base, repository, others, digestsOf(others), token);
            }
            List<String> digests = digestsOf(blobs);
            long cpuBefore = cpuTicks(pids);
            long start = System.nanoTime();
            run(client, pool, base, repository, blobs, digests, token);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%.3f %.3f%n", seconds, (cpuTicks(pids) - cpuBefore) / ticksPerSecond);
        } finally {
            pool.shutdownNow();
        }
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

    private static List<String> digestsOf(List<byte[]> blobs) throws Exception {
        List<String> digests = new ArrayList<>();
        for (byte[] blob : blobs) {
            digests.add("sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob)));
        }
        return digests;
    }

    private static void run(HttpClient client, ExecutorService pool, String base, String repository, List<byte[]> blobs,
                            List<String> digests, String token) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        int workers = ((java.util.concurrent.ThreadPoolExecutor) pool).getCorePoolSize();
        for (int w = 0; w < workers; w++) {
            running.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < blobs.size(); i = next.getAndIncrement()) {
                    upload(client, base, repository, blobs.get(i), digests.get(i), token);
                }
                return null;
            }));
        }
        for (Future<?> worker : running) {
            worker.get();
        }
    }

    private static void upload(HttpClient client, String base, String repository, byte[] blob, String digest, String token)
            throws Exception {
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(base + "/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> started = client.send(authorized(post, token).build(), HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + started.statusCode() + ": " + started.body());
        }
        String location = started.headers().firstValue("Location").orElseThrow();
        URI target = URI.create(base).resolve(location);
        String separator = target.getQuery() == null ? "?" : "&";
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(target + separator + "digest=" + digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(blob));
        HttpResponse<String> stored = client.send(authorized(put, token).build(), HttpResponse.BodyHandlers.ofString());
        if (stored.statusCode() != 201) {
            throw new IllegalStateException("PUT answered " + stored.statusCode() + ": " + stored.body());
        }
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request, String token) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }
}
