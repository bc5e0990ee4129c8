package org.correlationstation.job.deploy;

import com.sun.net.httpserver.HttpServer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A small JVM for PyroscopeAgentTest, started the way the launcher starts the API: serves
 * /health/live with its uptime and keeps a core a little busy so the profiler has samples.
 * Prints "listening PORT" once it answers.
 */
public final class PyroscopeProbeMain {
    private PyroscopeProbeMain() {}

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health/live", exchange -> {
            byte[] body = ("{\"status\":\"UP\",\"uptime_ms\":" + ManagementFactory.getRuntimeMXBean().getUptime() + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        System.out.println("listening " + server.getAddress().getPort());
        System.out.flush();
        double sink = 0;
        while (true) { // light work, paused often: something to sample, little CPU taken from the build
            for (int i = 0; i < 200_000; i++) sink += Math.sqrt(i + sink % 7);
            Thread.sleep(20);
            if (sink < 0) System.out.println(sink);
        }
    }
}
