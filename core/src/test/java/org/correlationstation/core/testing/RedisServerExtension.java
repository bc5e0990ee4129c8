package org.correlationstation.core.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * One {@link RedisServer} per test class, running and empty before each test (a test that stopped
 * it gets it back):
 *
 * <pre>{@code
 * @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();
 * ... REDIS.server().uri() ...
 * }</pre>
 *
 * Without the binary, every test of the class is reported skipped with the reason (a class-level
 * abort would show as "0 tests run", which nobody notices), or fails under {@code CI=true}.
 */
public final class RedisServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private RedisServer server;
    private TestAbortedException missing;

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            server = RedisServer.launch();
        } catch (TestAbortedException e) {
            missing = e;
            System.err.println("SKIPPED " + context.getDisplayName() + ": " + e.getMessage());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (missing != null) {
            throw missing;
        }
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
