package org.correlationstation.job.correlate;

import java.util.Map;

/**
 * A held trace's small state values (tracked span ids, log fingerprints, the link table, the children
 * counted in the service graph's edges), carried by its held summary and written back with it
 * ({@link RecentSummaries}): once the trace has been quiet for a second, when it leaves, or before a
 * checkpoint. Each log batch rewrote the whole link table, each batch its id or fingerprint set, and each
 * first emission the counted edges: in the p2 profile those writes were 12% of the correlator's samples,
 * the link table's alone 7.5% (performance round 2, bench/README.md). A trace's batches come within
 * seconds, so each value is now written about once.
 *
 * <p>A value that is null was not read or written while the summary was held: state has it. One that is
 * set is the trace's current value (state may be older while its flag says unsaved). Every write of these
 * values goes through here, so the copy is exact while the summary is held; a restored subtask starts
 * without it.
 */
final class HeldValues {
    long[] spanIds;
    long[] fingerprints;
    Map<String, LinkCounts> links;
    long[] edgesCounted;
    /**
     * A trace's tracked spans once its values are in its closed-trace value ({@link ClosedTrace}):
     * then every value above is set too, and they are written back together.
     */
    Map<String, SpanInfo> closedSpans;
    boolean closedSpansUnsaved;
    boolean spanIdsUnsaved;
    boolean fingerprintsUnsaved;
    boolean linksUnsaved;
    boolean edgesCountedUnsaved;

    void saved() {
        spanIdsUnsaved = fingerprintsUnsaved = linksUnsaved = edgesCountedUnsaved = closedSpansUnsaved = false;
    }

    boolean anyUnsaved() {
        return spanIdsUnsaved || fingerprintsUnsaved || linksUnsaved || edgesCountedUnsaved || closedSpansUnsaved;
    }
}
