package org.correlationstation.ingest.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerTokenTest {
    @Test
    void allowsOnlyTheBearerToken() {
        BearerToken token = BearerToken.of("s3cret");
        assertThat(token.required()).isTrue();
        assertThat(token.allows("Bearer s3cret")).isTrue();
        assertThat(token.allows("bearer s3cret")).isTrue();
        assertThat(token.allows("Bearer s3cret2")).isFalse();
        assertThat(token.allows("Bearer s3cre")).isFalse();
        assertThat(token.allows("s3cret")).isFalse();
        assertThat(token.allows("Basic s3cret")).isFalse();
        assertThat(token.allows(null)).isFalse();
    }

    @Test
    void noTokenAllowsEverything() {
        BearerToken none = BearerToken.of(null);
        assertThat(none.required()).isFalse();
        assertThat(none.allows(null)).isTrue();
    }
}
