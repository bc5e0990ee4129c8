package org.correlationstation.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** correlation_id = UUID v5 (URL namespace) of "trace:" + trace id; the digest is reused per thread. */
class CorrelationIdsTest {
    static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    /** Python: uuid.uuid5(uuid.NAMESPACE_URL, "trace:0af7651916cd43dd8448eb211c80319c"). */
    static final String EXPECTED = "d597a3d8-181b-50f4-bbba-fdb8d6f8a9a4";

    @Test
    void matchesAnIndependentUuidV5() {
        assertThat(CorrelationIds.forTrace(TRACE)).isEqualTo(EXPECTED);
        // A reused digest carries nothing over from the call before.
        assertThat(CorrelationIds.forTrace("4bf92f3577b34da6a3ce929d0e0e4736"))
                .isEqualTo("dddc867c-2ec0-54cf-9a47-af10a7b6a4eb");
        assertThat(CorrelationIds.forTrace(TRACE)).isEqualTo(EXPECTED);
    }

    @Test
    void threadsComputingAtOnceAgree() throws InterruptedException {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < 10_000; i++) seen.add(CorrelationIds.forTrace(TRACE));
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) thread.join();
        assertThat(seen).containsExactly(EXPECTED);
    }
}
