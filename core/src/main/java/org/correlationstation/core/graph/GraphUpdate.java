package org.correlationstation.core.graph;

import java.io.Serializable;

/**
 * The whole of one graph element's counts in one time bucket, as the job last computed them: what the
 * stores keep (Redis hash field, in-memory map entry). Not a delta: a store replaces what it holds for
 * {@code (bucketStartMillis, key)} when {@code counts.calls} is at least as high, so replays after a
 * restore never go backwards.
 */
public record GraphUpdate(long bucketStartMillis, GraphKey key, GraphCounts counts) implements Serializable {
    private static final long serialVersionUID = 1L;
}
