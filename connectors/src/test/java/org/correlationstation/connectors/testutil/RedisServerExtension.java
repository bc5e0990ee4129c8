package org.correlationstation.connectors.testutil;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link RedisServer} per test class, running and empty before each test (a test that stopped
 * it gets it back):
 *
 * <pre>{@code
 * @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
 * ... REDIS.server().uri() ...
 * }</pre>
 */
public final class RedisServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private RedisServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.launch();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server.start();
        server.flushAll();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public RedisServer server() {
        if (server == null) {
            throw new IllegalStateException("the Redis server starts before all tests of the class");
        }
        return server;
    }

    public String uri() {
        return server().uri();
    }
}
