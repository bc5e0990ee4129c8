package org.correlationstation.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class RedisServerTest {
    private static boolean accepts(RedisServer server) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.host(), server.port()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void stopsAndStartsAgainOnTheSamePort() {
        try (RedisServer server = RedisServer.launch()) {
            int port = server.port();
            assertThat(server.uri()).isEqualTo("redis://127.0.0.1:" + port);
            assertThat(accepts(server)).isTrue();

            assertThat(server.cpuTime()).as("the running process's CPU time, as Linux reports it").isPresent();

            server.stop();
            assertThat(server.isRunning()).isFalse();
            assertThat(accepts(server)).isFalse();
            assertThat(server.cpuTime()).isEmpty();

            server.start();
            assertThat(server.isRunning()).isTrue();
            assertThat(server.port()).isEqualTo(port);
            assertThat(accepts(server)).isTrue();
            server.flushAll();
        }
    }
}
