package org.correlationstation.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    /**
     * Ports handed out by this JVM, never handed out twice: a server may take seconds to bind the port
     * it was given (a redis-server process, a Flink cluster), and meanwhile its probe socket is closed.
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

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

    /**
     * A free port {@code p} whose partner {@code p + offset} is free too, both outside the ephemeral
     * range: a Redis Cluster node listens on its port and on its cluster bus, port + 10000.
     */
    public static int withPartner(int offset) {
        int highest = ephemeralLow() - offset;
        if (highest <= LOWEST + 100) throw new IllegalStateException("no room below " + ephemeralLow() + " for +" + offset);
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, highest);
            if (HANDED_OUT.contains(port) || HANDED_OUT.contains(port + offset)) continue;
            ServerSocket socket = tryBind(port);
            if (socket == null) continue;
            ServerSocket partner = tryBind(port + offset);
            closeQuietly(socket);
            if (partner == null) continue;
            closeQuietly(partner);
            if (claim(port, 1) && claim(port + offset, 1)) return port;
        }
        throw new IllegalStateException("no free port with a free partner at +" + offset + " below " + ephemeralLow());
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
            if (handedOut(base, consecutive)) continue;
            ServerSocket first = tryBind(base);
            if (first == null) continue;
            boolean restFree = true;
            for (int p = base + 1; p < base + consecutive && restFree; p++) {
                ServerSocket next = tryBind(p);
                restFree = next != null;
                if (next != null) closeQuietly(next);
            }
            if (restFree && claim(base, consecutive)) return first;
            closeQuietly(first);
        }
        throw new IllegalStateException("no " + consecutive + " consecutive free ports below " + ephemeralLow());
    }

    private static boolean handedOut(int base, int consecutive) {
        for (int p = base; p < base + consecutive; p++) {
            if (HANDED_OUT.contains(p)) return true;
        }
        return false;
    }

    private static synchronized boolean claim(int base, int consecutive) {
        if (handedOut(base, consecutive)) return false;
        for (int p = base; p < base + consecutive; p++) HANDED_OUT.add(p);
        return true;
    }

    private static ServerSocket tryBind(int port) {
        try {
            return new ServerSocket(port);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The kernel's lowest ephemeral port (Linux), or IANA's 49152 where that file is absent. Read line by
     * line: {@code Files.readString} of this /proc file returned only its first byte on this project's
     * machines ("3" of "32768"), and every port then counted as below the range.
     */
    static int ephemeralLow() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try (BufferedReader in = Files.newBufferedReader(range)) {
            String line = in.readLine();
            if (line != null) return Integer.parseInt(line.trim().split("\\s+")[0]);
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
