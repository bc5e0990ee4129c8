package org.correlationstation.job.correlate;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/** Keyed state entries of a correlator under test, told apart: the traces' own, and cleared traces' tombstones. */
final class StateEntries {
    private StateEntries() {}

    /** Entries of traces' state (heap backend), without the tombstones cleared traces leave. */
    static int ofTraces(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> h) {
        return h.numKeyedStateEntries() - (int) tombstones(h);
    }

    /** Cleared traces whose tombstone is held ({@code cleared-at}). */
    static long tombstones(KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> h) {
        AbstractStreamOperator<?> operator = (AbstractStreamOperator<?>) h.getOperator();
        try (var keys = operator.getKeyedStateBackend().getKeys("cleared-at", VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }
}
