package dev.drydock.layerstore.storage;

import com.sun.nio.file.ExtendedOpenOption;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Streams request bodies onto the end of upload files, through the upload's running digest.
 *
 * <p>The event loop only takes the pieces it receives; hashing runs on one thread and writing on
 * another, in order, so the two overlap and a 1 GiB body costs the event loop little more than a
 * copy. A large body starting at a block boundary is gathered into 4 MiB blocks written with
 * O_DIRECT where the file system allows it: past the page cache, whose copying and allocation cost
 * more CPU than the disk's own transfer here. Anything else (small bodies, a resumed upload at an
 * odd offset, the last partial block, a file system without O_DIRECT) is written through the page
 * cache. Either way the file is fsynced, and cut to the bytes received, before a body counts as
 * received.
 */
@ApplicationScoped
public class UploadAppender {

    /** 4 MiB: 1 MiB blocks made a 1 GiB upload ~10 % slower here, 8 MiB ones ~5 %. */
    public static final int BLOCK = 4 << 20;
    /** A body at least this long (or of unknown length) is gathered into blocks. */
    public static final int LARGE = 1 << 20;
    /** One block being filled, one being hashed, one being written. */
    private static final int BLOCKS_PER_BODY = 3;
    /** 64 MiB off-heap at most: five large bodies at once; others are written through the page cache. */
    private static final int MAX_BLOCKS = 16;
    /** How many bytes of a body are written between two checks of the storage's free space. */
    static final long ROOM_CHECK = 4L << 20;
    /** Bytes of a page-cache body handed to the threads but not yet written; above it the request pauses. */
    private static final long MAX_IN_FLIGHT = 4L << 20;

    private final Vertx vertx;
    private final StorageSpace space;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "upload-io");
        thread.setDaemon(true);
        return thread;
    });
    private final ArrayDeque<ByteBuffer> idleBlocks = new ArrayDeque<>();
    private int blocksMade;
    /** The alignment the blocks are made with: the storage's disk block size, found by the first large body. */
    private int blockAlignment;

    UploadAppender(Vertx vertx, StorageSpace space) {
        this.vertx = vertx;
        this.space = space;
    }

    @PreDestroy
    void stop() {
        threads.shutdown();
    }

    /**
     * Opens {@code file} for appending at {@code offset}; blocking (file system calls).
     * {@code expectedLength} is the body's Content-Length, or -1 when it is streamed. A body that
     * would eat into the storage's reserve is refused here, before a byte is written (an empty one,
     * as of a PUT that only closes an upload, needs no room).
     */
    public Body open(Path file, long offset, long expectedLength, MessageDigest digest) {
        if (expectedLength != 0) {
            space.requireRoomFor(expectedLength);
        }
        FileChannel cached = null;
        FileChannel direct = null;
        int alignment = 0;
        List<ByteBuffer> blocks = null;
        try {
            cached = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            boolean large = expectedLength < 0 || expectedLength >= LARGE;
            if (large) {
                alignment = (int) Files.getFileStore(file).getBlockSize();
                if (alignment > 0 && BLOCK % alignment == 0 && offset % alignment == 0) {
                    direct = openDirect(file);
                    blocks = direct == null ? null : lend(alignment);
                    if (blocks == null && direct != null) {
                        direct.close();
                        direct = null;
                    }
                }
            }
            return new Body(cached, direct, alignment, blocks, offset, digest);
        } catch (IOException e) {
            closeQuietly(cached);
            closeQuietly(direct);
            throw new StorageFailure("cannot open upload file " + file, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // the open failed already; that is what the caller hears of
        }
    }

    private static FileChannel openDirect(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException notSupported) {
            return null; // tmpfs, for one: the page cache it is
        }
    }

    /** Blocks for one body, or null when too many large bodies are under way (or the alignment differs). */
    private synchronized List<ByteBuffer> lend(int alignment) {
        if (blockAlignment == 0) {
            blockAlignment = alignment;
        }
        if (blockAlignment % alignment != 0 || idleBlocks.size() + (MAX_BLOCKS - blocksMade) < BLOCKS_PER_BODY) {
            return null;
        }
        List<ByteBuffer> lent = new ArrayList<>(BLOCKS_PER_BODY);
        while (lent.size() < BLOCKS_PER_BODY && !idleBlocks.isEmpty()) {
            lent.add(idleBlocks.poll());
        }
        while (lent.size() < BLOCKS_PER_BODY) {
            lent.add(ByteBuffer.allocateDirect(BLOCK + blockAlignment)
                    .alignedSlice(blockAlignment)
                    .limit(BLOCK)
                    .slice());
            blocksMade++;
        }
        return lent;
    }

    private synchronized void giveBack(List<ByteBuffer> blocks) {
        blocks.forEach(block -> idleBlocks.add(block.clear()));
    }

    /** One request body on its way into an upload file. */
    public final class Body {

        private final FileChannel cached;
        private final FileChannel direct;
        private final int alignment;
        private final List<ByteBuffer> blocks;
        private final ArrayDeque<ByteBuffer> free;
        private final long start;
        private final MessageDigest digest;
        private final Promise<Long> result = Promise.promise();
        private Context context;
        private HttpServerRequest request;
        private ByteBuffer filling;
        /** Received pieces that found no free block, in order; taken up as blocks come back. */
        private final ArrayDeque<ByteBuffer> waiting = new ArrayDeque<>();

        private long received;
        /** Bytes handed to the threads (with their place in the file) so far. */
        private long handedOver;
        /** {@link #handedOver} when the storage's free space was last checked. */
        private long checkedAt;

        private long inFlight;
        private boolean paused;
        private boolean ended;
        private boolean finishing;
        /** Set when the body failed: what it wrote is cut off again as the file closes. */
        private volatile boolean failed;

        private CompletableFuture<Void> closed;
        private CompletableFuture<Void> hashed = CompletableFuture.completedFuture(null);
        private CompletableFuture<Void> written = CompletableFuture.completedFuture(null);

        private Body(
                FileChannel cached,
                FileChannel direct,
                int alignment,
                List<ByteBuffer> blocks,
                long start,
                MessageDigest digest) {
            this.cached = cached;
            this.direct = direct;
            this.alignment = alignment;
            this.blocks = blocks;
            this.free = blocks == null ? null : new ArrayDeque<>(blocks);
            this.start = start;
            this.digest = digest;
        }

        /**
         * Reads the paused {@code request}'s body into the file; on the request's event loop.
         *
         * @return the number of bytes the body held, once they are hashed, written and fsynced
         */
        public Future<Long> from(HttpServerRequest request) {
            this.request = request;
            this.context = vertx.getOrCreateContext();
            request.handler(this::take);
            request.exceptionHandler(this::fail);
            request.endHandler(v -> end());
            request.resume();
            return result.future();
        }

        private void take(Buffer piece) {
            if (failed || result.future().isComplete()) {
                return; // a write failed; the answer is on its way
            }
            received += piece.length();
            ByteBuffer bytes = piece.getByteBuf().nioBuffer(); // Vert.x hands each piece over as a copy of its own
            if (direct == null) {
                inFlight += bytes.remaining();
                submit(bytes, cached);
                if (inFlight > MAX_IN_FLIGHT) {
                    pause();
                }
            } else if (waiting.isEmpty()) {
                fill(bytes);
            } else {
                waiting.add(bytes);
            }
        }

        /** Copies into blocks, handing each full one over; keeps the rest waiting when no block is free. */
        private void fill(ByteBuffer bytes) {
            while (bytes.hasRemaining()) {
                if (filling == null) {
                    filling = free.poll();
                    if (filling == null) {
                        waiting.addFirst(bytes);
                        pause();
                        return;
                    }
                }
                int n = Math.min(bytes.remaining(), filling.remaining());
                filling.put(filling.position(), bytes, bytes.position(), n);
                filling.position(filling.position() + n);
                bytes.position(bytes.position() + n);
                if (!filling.hasRemaining()) {
                    submit(filling.flip(), direct);
                    filling = null;
                }
            }
        }

        /**
         * Hands bytes over to be hashed and written at the next place in the file; every
         * {@link #ROOM_CHECK} bytes a write is followed by a check that the storage still has more
         * free than its reserve (a body of unknown length, or several at once, must not fill the
         * disk; it may take at most that much of the reserve before it is refused).
         */
        private void submit(ByteBuffer bytes, FileChannel channel) {
            long at = start + handedOver;
            handedOver += bytes.remaining();
            boolean check = handedOver - checkedAt >= ROOM_CHECK;
            if (check) {
                checkedAt = handedOver;
            }
            CompletableFuture<Void> hash = hashed.thenRunAsync(() -> digest.update(bytes.duplicate()), threads);
            CompletableFuture<Void> write = written.thenRunAsync(
                    () -> {
                        writeFully(channel, bytes.duplicate(), at);
                        if (check) {
                            space.requireRoomFor(0);
                        }
                    },
                    threads);
            hashed = hash;
            written = write;
            CompletableFuture.allOf(hash, write)
                    .whenComplete((v, failure) -> context.runOnContext(x -> done(bytes, failure)));
        }

        /** On the event loop: a submitted piece is hashed and written (or failed). */
        private void done(ByteBuffer bytes, Throwable failure) {
            if (failure != null) {
                fail(failure);
                return;
            }
            if (finishing || failed || result.future().isComplete()) {
                // everything is handed over: the blocks are not this body's to reuse any more (close
                // gives them back to the pool, perhaps already has)
                return;
            }
            if (direct == null) {
                inFlight -= bytes.limit();
                if (paused && inFlight <= MAX_IN_FLIGHT / 2) {
                    resume();
                }
                return;
            }
            if (blocks.stream().noneMatch(block -> block == bytes)) {
                return; // a piece of the last partial block (see finish), not a block of its own
            }
            free.add(bytes.clear());
            while (!waiting.isEmpty()) {
                ByteBuffer next = waiting.poll();
                fill(next);
                if (next.hasRemaining()) {
                    return; // back in the queue: no free block again
                }
            }
            if (ended) {
                finish(); // the request ended while pieces waited
            } else if (paused) {
                resume();
            }
        }

        private void pause() {
            if (!paused && !ended) {
                paused = true;
                request.pause();
            }
        }

        private void resume() {
            paused = false;
            if (!ended) {
                request.resume();
            }
        }

        private void end() {
            ended = true;
            if (waiting.isEmpty()) {
                finish(); // else once the pieces waiting for a block are in one (see done)
            }
        }

        private void finish() {
            if (finishing || result.future().isComplete()) {
                return;
            }
            finishing = true;
            if (filling != null && filling.position() > 0) {
                // the last partial block: its whole disk blocks past the page cache, the rest through it
                ByteBuffer last = filling.flip();
                filling = null;
                int aligned = last.remaining() - last.remaining() % alignment;
                if (aligned > 0) {
                    submit(last.slice(0, aligned), direct);
                }
                if (aligned < last.remaining()) {
                    submit(last.slice(aligned, last.remaining() - aligned), cached);
                }
            }
            long length = start + received;
            CompletableFuture.allOf(hashed, written)
                    .thenRunAsync(
                            () -> {
                                try {
                                    cached.truncate(length); // a body cut off earlier may have left bytes beyond it
                                    cached.force(false);
                                } catch (IOException e) {
                                    throw new StorageFailure(e);
                                }
                            },
                            threads)
                    .whenComplete((v, failure) -> {
                        if (failure != null) {
                            failed = true;
                        }
                        close().whenComplete((c, closeFailure) -> context.runOnContext(x -> {
                            Throwable any = failure != null ? failure : closeFailure;
                            if (any == null) {
                                result.tryComplete(received);
                            } else {
                                result.tryFail(unwrap(any));
                            }
                        }));
                    });
        }

        private void fail(Throwable failure) {
            if (failed || result.future().isComplete()) {
                return;
            }
            ended = true;
            failed = true;
            // answered once the file is cut back: a client resuming at once must not have its new
            // bytes cut off by this body's truncation
            close().whenComplete((c, closeFailure) -> context.runOnContext(x -> result.tryFail(unwrap(failure))));
            // the rest of the body is read and dropped (see take), so that the client, still sending,
            // reads the answer instead of a reset
            request.resume();
        }

        private static Throwable unwrap(Throwable failure) {
            return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        }

        /** Closes the file once everything handed to the threads is done, and gives the blocks back. */
        private synchronized CompletableFuture<Void> close() {
            if (closed != null) {
                return closed;
            }
            closed = CompletableFuture.allOf(hashed, written)
                    .handle((v, ignored) -> null)
                    .thenRunAsync(
                            () -> {
                                try (cached) {
                                    if (failed) {
                                        // nothing of a failed body counts: its bytes would only hold disk space (a full
                                        // disk stays full) until the upload expires
                                        cached.truncate(start);
                                    }
                                    if (direct != null) {
                                        direct.close();
                                    }
                                } catch (IOException e) {
                                    throw new StorageFailure(e);
                                } finally {
                                    if (blocks != null) {
                                        giveBack(blocks);
                                    }
                                }
                            },
                            threads);
            return closed;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes, long at) {
        try {
            long position = at;
            while (bytes.hasRemaining()) {
                position += channel.write(bytes, position);
            }
        } catch (IOException e) {
            throw new StorageFailure(e);
        }
    }
}
