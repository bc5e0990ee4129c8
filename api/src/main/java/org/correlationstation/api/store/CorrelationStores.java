package org.correlationstation.api.store;

import java.time.Duration;
import java.util.Optional;
import org.correlationstation.core.config.Options;
import org.correlationstation.core.config.Settings;

/** Picks the store of a process from its settings (SPEC §8). */
public final class CorrelationStores {
    private CorrelationStores() {}

    /**
     * {@code REDIS_URL} set (and not {@code USE_REDIS_STATE=false}): a {@link RedisCorrelationStore}
     * (Cluster when the URI lists several nodes or says {@code cluster=true}) with at most
     * {@code REDIS_MAX_CONNECTIONS} connections, pruning the service graph's index by
     * {@code CORRELATION_TTL_SECONDS} + {@code GRAPH_BUCKET_SECONDS}; otherwise an
     * {@link InMemoryCorrelationStore} holding at most {@code MEMORY_STORE_MAX_RECORDS} records and
     * {@code MEMORY_STORE_MAX_BYTES} bytes for {@code CORRELATION_TTL_SECONDS} after each write.
     */
    public static CorrelationStore create(Settings settings) {
        Optional<String> redisUrl = settings.redisUrl();
        if (redisUrl.isPresent()) {
            Duration graphRetention = Duration.ofSeconds(settings.get(Options.CORRELATION_TTL_SECONDS)
                    + settings.get(Options.GRAPH_BUCKET_SECONDS));
            return RedisCorrelationStore.create(redisUrl.get(), RedisCorrelationStore.DEFAULT_COMMAND_TIMEOUT,
                    RedisCorrelationStore.DEFAULT_MAX_RECONNECT_DELAY, settings.get(Options.REDIS_MAX_CONNECTIONS),
                    graphRetention);
        }
        return InMemoryCorrelationStore.create(settings);
    }
}
