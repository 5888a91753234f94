package dev.drydock.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the processes the tests start. They are taken below Linux's ephemeral range
 * (32768–60999), so that a service restarted on its port, or a broker's controller on the port
 * after its listener, does not find it taken by one of the many client connections a test opens.
 */
final class Ports {

    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;

    private Ports() {}

    static int free() {
        return freeRun(1);
    }

    /** A port whose next port is free as well. */
    static int freePair() {
        return freeRun(2);
    }

    private static synchronized int freeRun(int length) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int first = ThreadLocalRandom.current().nextInt(FIRST, LAST - length);
            boolean free = true;
            for (int port = first; port < first + length && free; port++) {
                free = bindable(port);
            }
            if (free) {
                return first;
            }
        }
        throw new IllegalStateException("no free port between " + FIRST + " and " + LAST);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
