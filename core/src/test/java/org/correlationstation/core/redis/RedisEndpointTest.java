package org.correlationstation.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisEndpointTest {
    private static io.lettuce.core.RedisCredentials creds(io.lettuce.core.RedisURI uri) {
        return uri.getCredentialsProvider().resolveCredentials().block();
    }

    @Test
    void aSingleHostIsStandalone() {
        RedisEndpoint e = RedisEndpoint.parse("redis://:s3cret@redis:6379/2");
        assertThat(e.cluster()).isFalse();
        assertThat(e.nodes()).hasSize(1);
        assertThat(new String(creds(e.nodes().get(0)).getPassword())).isEqualTo("s3cret");
        assertThat(e.nodes().get(0).getDatabase()).isEqualTo(2);
        assertThat(e.describe()).isEqualTo("standalone redis:6379").doesNotContain("s3cret");
    }

    @Test
    void severalHostsOrTheFlagMeanCluster() {
        RedisEndpoint e = RedisEndpoint.parse("rediss://user:pw@a:7000,b:7001,c:7002");
        assertThat(e.cluster()).isTrue();
        assertThat(e.nodes()).hasSize(3);
        assertThat(e.nodes()).allSatisfy(n -> {
            assertThat(n.isSsl()).isTrue();
            assertThat(creds(n).getUsername()).isEqualTo("user");
            assertThat(new String(creds(n).getPassword())).isEqualTo("pw");
        });
        assertThat(e.describe()).isEqualTo("cluster a:7000,b:7001,c:7002");
        assertThat(e.toString()).doesNotContain("pw");

        RedisEndpoint flagged = RedisEndpoint.parse("redis://:pw@seed:6379?cluster=true&timeout=5s");
        assertThat(flagged.cluster()).isTrue();
        assertThat(flagged.nodes()).singleElement().satisfies(n -> assertThat(n.getHost()).isEqualTo("seed"));
        assertThat(RedisEndpoint.parse("redis://a:1,b:2?cluster=false").cluster()).isFalse();
    }

    @Test
    void sentinelUrisKeepTheirSentinels() {
        RedisEndpoint e = RedisEndpoint.parse("redis-sentinel://:pw@s1:26379,s2:26379/0#mymaster");
        assertThat(e.cluster()).isFalse();
        assertThat(e.nodes().get(0).getSentinels()).hasSize(2);
        assertThat(e.describe()).doesNotContain("pw").contains("mymaster");
    }

    @Test
    void badUrisFailWithoutThePassword() {
        assertThatThrownBy(() -> RedisEndpoint.parse("http://x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisEndpoint.parse("redis://:hunter2@host:99999999"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(t -> assertThat(t.getMessage()).doesNotContain("hunter2"));
    }
}
