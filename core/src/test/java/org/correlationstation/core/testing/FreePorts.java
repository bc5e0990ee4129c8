package org.correlationstation.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for a server that binds them later, in another process or after other sockets have opened.
 *
 * <p>{@code new ServerSocket(0)} hands out a port from the kernel's ephemeral range, the same range
 * every outgoing connection takes its local port from: between the test closing its probe socket
 * and the server binding, a Kafka client or a Redis connection may take it (CI once saw the Flink
 * UI fail to bind for that reason). These ports come from below that range instead, and several
 * asked for at once are distinct.
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;

    private FreePorts() {}

    /** {@code n} distinct free ports, none of them in the ephemeral range. */
    public static int[] distinct(int n) {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket socket = bindFree(1);
                held.add(socket);
                ports[i] = socket.getLocalPort();
            }
        } finally {
            held.forEach(FreePorts::closeQuietly);
        }
        return ports;
    }

    /** One free port outside the ephemeral range. */
    public static int one() {
        return distinct(1)[0];
    }

    /** The first of {@code n} consecutive free ports (Flink's Prometheus reporter takes a range). */
    public static int range(int n) {
        ServerSocket first = bindFree(n);
        int base = first.getLocalPort();
        closeQuietly(first);
        return base;
    }

    private static ServerSocket bindFree(int consecutive) {
        int highest = Math.max(ephemeralLow(), LOWEST + 1_000) - consecutive;
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(LOWEST, highest);
            ServerSocket first = tryBind(base);
            if (first == null) continue;
            boolean restFree = true;
            for (int p = base + 1; p < base + consecutive && restFree; p++) {
                ServerSocket next = tryBind(p);
                restFree = next != null;
                if (next != null) closeQuietly(next);
            }
            if (restFree) return first;
            closeQuietly(first);
        }
        throw new IllegalStateException("no " + consecutive + " consecutive free ports below " + ephemeralLow());
    }

    private static ServerSocket tryBind(int port) {
        try {
            return new ServerSocket(port);
        } catch (IOException e) {
            return null;
        }
    }

    /** The kernel's lowest ephemeral port (Linux), or IANA's 49152 where that file is absent. */
    private static int ephemeralLow() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            if (Files.isReadable(range)) return Integer.parseInt(Files.readString(range).trim().split("\\s+")[0]);
        } catch (IOException | NumberFormatException e) {
            // fall through to the IANA default
        }
        return 49_152;
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
