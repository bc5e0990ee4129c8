package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import org.correlationstation.connectors.export.Backoff;
import org.junit.jupiter.api.Test;

/** Builder validation, and that a password never shows in what gets logged. */
class RedisSinkOptionsTest {
    @Test
    void passwordsNeverShowInToString() {
        RedisSink sink = RedisSink.builder().setRedisUri("rediss://:s3cr3t-pw@cache.example.com:6380/2").build();

        assertThat(sink.toString()).doesNotContain("s3cr3t-pw").contains("cache.example.com:6380");
        assertThat(sink.options().toString()).doesNotContain("s3cr3t-pw");
        assertThat(sink.options().endpoint()).isEqualTo("standalone cache.example.com:6380");
    }

    /** REDIS_URL as the query API reads it (RedisEndpoint): several nodes or ?cluster=true, and Sentinel. */
    @Test
    void clusterAndSentinelUrisAreReadAsTheApiReadsThem() {
        assertThat(RedisSink.builder().setRedisUri("redis://:pw@h1:7000,h2:7001").buildOptions().endpoint())
                .isEqualTo("cluster h1:7000,h2:7001");
        assertThat(RedisSink.builder().setRedisUri("redis://h1:7000?cluster=true").buildOptions().endpoint())
                .isEqualTo("cluster h1:7000");
        assertThat(RedisSink.builder().setRedisUri("redis-sentinel://:pw@s1:26379,s2:26379#mymaster").buildOptions()
                .endpoint()).isEqualTo("sentinel mymaster@s1:26379,s2:26379");
    }

    @Test
    void defaultsFollowTheSpec() {
        RedisSinkOptions options = RedisSink.builder().setRedisUri("redis://localhost").buildOptions();

        assertThat(options.recordTtl()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(options.maxBatchSize()).isEqualTo(5000);
        assertThat(options.batchWait()).isEqualTo(Duration.ofMillis(100));
        assertThat(options.retryDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(options.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(options.indexTrimInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(options.bookkeepingTtl()).isEqualTo(Duration.ofSeconds(3600 + 120));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> RedisSink.builder().buildOptions()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RedisSink.builder().setRedisUri("redis://localhost").setMaxBatchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisSink.builder().setRedisUri("redis://localhost")
                .setRecordTtl(Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisSink.builder().setRedisUri("redis://localhost")
                .setRetryDelay(Duration.ofSeconds(5)).setMaxRetryDelay(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSinkIsSerializable() throws Exception {
        RedisSink sink = RedisSink.builder().setRedisUri("redis://localhost:6379").build();
        try (ObjectOutputStream out = new ObjectOutputStream(new ByteArrayOutputStream())) {
            out.writeObject(sink);
        }
    }

    @Test
    void backoffGrowsWithJitterUpToTheMaxAndResets() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000));

        long first = backoff.onFailure();
        long second = backoff.onFailure();
        long third = backoff.onFailure();
        long fourth = backoff.onFailure();
        for (int i = 0; i < 20; i++) { // capped from the fifth on
            assertThat(backoff.onFailure()).isBetween(500L, 1000L);
        }
        assertThat(first).isBetween(50L, 100L);
        assertThat(second).isBetween(100L, 200L);
        assertThat(third).isBetween(200L, 400L);
        assertThat(fourth).isBetween(400L, 800L);
        assertThat(backoff.onSuccess()).isEqualTo(24);
        assertThat(backoff.onFailure()).isBetween(50L, 100L);
    }
}
