package org.correlationstation.job.upgrade;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.runtime.state.filesystem.FsCompletedCheckpointStorageLocation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.correlationstation.job.OperatorIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restore with sinks or topics switched off since the savepoint (or checkpoint) was taken. Flink
 * refuses state of an operator the new program lacks unless told to ignore all unclaimed state, which
 * would skip any operator's state, the correlator's too. Here the snapshot's operators are compared with
 * the program's: when the only ones missing are optional sinks (and the functions that feed them), the
 * job restores without their state and says so in one line; anything else is left to Flink's refusal.
 *
 * <p>Nothing is lost with that state: each of our sinks flushes everything it holds at every checkpoint
 * (a completed checkpoint means the backend has it), so its writer state is empty. An exactly-once
 * topic's committer holds the snapshot's own transaction, committed by the time a stop-with-savepoint
 * ends; from a retained checkpoint it stays uncommitted (docs/upgrades.md).
 */
public final class SwitchedOffSinks {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchedOffSinks.class);

    /** Operators that exist only while an option is set. */
    static final Set<String> OPTIONAL = Set.of(OperatorIds.REDIS_SINK, OperatorIds.DECIDED_LOGS_TO_LOKI,
            OperatorIds.UNCORRELATED_LOGS_TO_LOKI, OperatorIds.LOKI_SINK, OperatorIds.TEMPO_SINK,
            OperatorIds.MEMORY_STORE_SINK, OperatorIds.CORRELATIONS_TOPIC_SINK, OperatorIds.SPANS_TO_NORMALIZED,
            OperatorIds.NORMALIZED_SPANS_SINK, OperatorIds.DECIDED_LOGS_TO_NORMALIZED,
            OperatorIds.UNCORRELATED_LOGS_TO_NORMALIZED, OperatorIds.NORMALIZED_LOGS_SINK);

    private SwitchedOffSinks() {}

    /**
     * Call once the pipeline is built: when the environment restores a snapshot whose only operators
     * missing from the program are optional ones, lets it restore without them.
     *
     * @return the uids of the operators whose state is dropped (empty: nothing to allow)
     */
    public static List<String> allowDroppingTheirState(StreamExecutionEnvironment env) {
        ReadableConfig conf = env.getConfiguration();
        Optional<String> path = conf.getOptional(StateRecoveryOptions.SAVEPOINT_PATH);
        if (path.isEmpty() || conf.get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE)) return List.of();
        CheckpointMetadata snapshot;
        try {
            snapshot = load(path.get());
        } catch (IOException | RuntimeException e) {
            // Flink reads it again to restore, and reports what is wrong with it in its own words.
            LOG.warn("Could not read the metadata of {} to compare its operators with this job's ({}); the restore is "
                    + "left to Flink", path.get(), e.toString());
            return List.of();
        }
        List<String> dropped = unclaimedOptional(snapshot, operatorIds(env.getStreamGraph(false).getJobGraph()));
        if (dropped.isEmpty()) return dropped;
        env.configure(new Configuration().set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true));
        LOG.warn("Restoring {} without the state of {}: switched off since it was taken. Only their writers' state is"
                + " dropped, which holds no entries (the sinks flush at every checkpoint); every other operator's state"
                + " must be restored.", path.get(), dropped);
        return dropped;
    }

    /**
     * The uids of the snapshot's operators with state that the program lacks, when all of them are
     * optional; empty when there are none, or when one of them is not optional (Flink refuses that
     * restore itself, naming the operator).
     */
    static List<String> unclaimedOptional(CheckpointMetadata snapshot, Set<OperatorID> program) {
        List<String> dropped = new ArrayList<>();
        for (OperatorState operator : snapshot.getOperatorStates()) {
            if (program.contains(operator.getOperatorID()) || !hasState(operator)) continue;
            Optional<String> uid = operator.getOperatorUid();
            if (uid.isEmpty() || !isOptional(uid.get())) return List.of();
            dropped.add(uid.get());
        }
        dropped.sort(null);
        return dropped;
    }

    /** An optional operator's uid, or that of a committer Flink adds to an optional sink. */
    static boolean isOptional(String uid) {
        for (String optional : OPTIONAL) {
            if (uid.equals(optional) || uid.equals("Sink Committer: " + optional)
                    || uid.equals("Sink " + optional + " Global Committer")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasState(OperatorState operator) {
        if (operator.getCoordinatorState() != null) return true;
        for (OperatorSubtaskState subtask : operator.getStates()) {
            if (subtask.hasState()) return true;
        }
        return false;
    }

    private static Set<OperatorID> operatorIds(JobGraph graph) {
        Set<OperatorID> ids = new HashSet<>();
        for (JobVertex vertex : graph.getVertices()) {
            for (OperatorIDPair pair : vertex.getOperatorIDs()) {
                ids.add(pair.getGeneratedOperatorID());
                pair.getUserDefinedOperatorID().ifPresent(ids::add);
            }
        }
        return ids;
    }

    /** The snapshot's metadata (operators and their state handles, not the state), as Flink reads it to restore. */
    private static CheckpointMetadata load(String pointer) throws IOException {
        FsCompletedCheckpointStorageLocation location = AbstractFsCheckpointStorageAccess.resolveCheckpointPointer(pointer);
        try (DataInputStream in = new DataInputStream(location.getMetadataHandle().openInputStream())) {
            return Checkpoints.loadCheckpointMetadata(in, SwitchedOffSinks.class.getClassLoader(), pointer);
        }
    }
}
