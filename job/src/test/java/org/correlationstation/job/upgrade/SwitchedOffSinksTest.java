package org.correlationstation.job.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.OperatorStreamStateHandle;
import org.apache.flink.runtime.state.memory.ByteStreamStateHandle;
import org.correlationstation.job.OperatorIds;
import org.junit.jupiter.api.Test;

/** Which operators of a snapshot a restore may leave behind: optional sinks with their committers, nothing else. */
class SwitchedOffSinksTest {
    private final OperatorID correlator = new OperatorID();

    @Test
    void onlyOptionalSinksTheProgramLacksAreDropped() {
        CheckpointMetadata snapshot = snapshot(
                operator(OperatorIds.CORRELATOR, correlator, true),
                operator(OperatorIds.LOKI_SINK, new OperatorID(), true),
                operator("Sink Committer: " + OperatorIds.CORRELATIONS_TOPIC_SINK, new OperatorID(), true),
                operator(OperatorIds.TEMPO_SINK, new OperatorID(), false));
        assertThat(SwitchedOffSinks.unclaimedOptional(snapshot, Set.of(correlator)))
                .containsExactly("Sink Committer: " + OperatorIds.CORRELATIONS_TOPIC_SINK, OperatorIds.LOKI_SINK);
    }

    @Test
    void anyOtherMissingOperatorLeavesTheRestoreToFlink() {
        CheckpointMetadata snapshot = snapshot(
                operator(OperatorIds.CORRELATOR, new OperatorID(), true), // its uid changed: the program lacks it
                operator(OperatorIds.LOKI_SINK, new OperatorID(), true));
        assertThat(SwitchedOffSinks.unclaimedOptional(snapshot, Set.of())).isEmpty();
    }

    @Test
    void theCorrelatorAndSourcesAreNeverOptional() {
        for (String uid : List.of(OperatorIds.CORRELATOR, OperatorIds.SPANS_SOURCE, OperatorIds.LOGS_SOURCE,
                OperatorIds.SPAN_ROUTER, OperatorIds.LOG_ROUTER, OperatorIds.DLQ_SINK, "Sink Committer: " + OperatorIds.DLQ_SINK)) {
            assertThat(SwitchedOffSinks.isOptional(uid)).as(uid).isFalse();
        }
    }

    private static OperatorState operator(String uid, OperatorID id, boolean withState) {
        OperatorState state = new OperatorState(uid, uid, id, 1, 128);
        OperatorSubtaskState subtask = withState
                ? OperatorSubtaskState.builder().setManagedOperatorState(new OperatorStreamStateHandle(Map.of(),
                        new ByteStreamStateHandle("writer-state", new byte[] {1}))).build()
                : OperatorSubtaskState.builder().build();
        state.putState(0, subtask);
        return state;
    }

    private static CheckpointMetadata snapshot(OperatorState... operators) {
        return new CheckpointMetadata(1, List.of(operators), List.of());
    }
}
