package org.correlationstation.job.correlate;

import static org.correlationstation.job.types.CompactEncoding.readId;
import static org.correlationstation.job.types.CompactEncoding.readString;
import static org.correlationstation.job.types.CompactEncoding.readVarInt;
import static org.correlationstation.job.types.CompactEncoding.readVarLong;
import static org.correlationstation.job.types.CompactEncoding.writeId;
import static org.correlationstation.job.types.CompactEncoding.writeString;
import static org.correlationstation.job.types.CompactEncoding.writeVarInt;
import static org.correlationstation.job.types.CompactEncoding.writeVarLong;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.correlationstation.job.types.CompactEncoding;
import org.correlationstation.job.types.CompactSerializer;
import org.correlationstation.job.types.LayoutSnapshot;

/**
 * A closed trace as one value: each span once, its id as 8 bytes, its name and service as indexes
 * into the trace's own dictionary of strings (sorted and front-coded), its parent as the index of a
 * span in the same value, its times as varints in the coarsest power-of-ten unit that loses nothing
 * (spans converted from other formats often carry whole microseconds), and its link counts and whether
 * its edge is counted inline; then the log fingerprints. About 20 bytes per span where the open trace's
 * values took ~70.
 *
 * <p>Layout 2 writes the spans in order of start and each start as the gap from the one before: a
 * trace's n starts lie within its duration, so a gap is about 1/n of an offset from the earliest start
 * (layout 1, spans in order of id), and never negative: 32 bytes less per trace of the benchmark's
 * (bench/state.sh), where what is left is mostly random (ids, fingerprints, nanosecond times). Layout 1
 * (unreleased builds) is still read.
 */
public final class ClosedTraceSerializer extends CompactSerializer<ClosedTrace> {
    private static final long serialVersionUID = 1L;
    static final int LAYOUT = 2;
    static final ClosedTraceSerializer INSTANCE = new ClosedTraceSerializer(LAYOUT);
    /** Layout 1's reader (and writer, for tests). */
    static final ClosedTraceSerializer LAYOUT_1 = new ClosedTraceSerializer(1);

    private static final int ERROR = 1;
    private static final int EDGE_COUNTED = 1 << 1;
    private static final int LINKED = 1 << 2;
    /** Two bits: no parent, a parent in this value (its index follows), another parent (its id follows). */
    private static final int PARENT_SHIFT = 3;
    private static final int PARENT_NONE = 0;
    private static final int PARENT_INDEX = 1;
    private static final int PARENT_ID = 2;
    private static final int CANONICAL_ID = 1 << 5;
    private static final long[] POWERS_OF_TEN = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L,
        10_000_000L, 100_000_000L, 1_000_000_000L};
    private static final HexFormat HEX = HexFormat.of();
    /** Canonical ids (8 bytes) first, by value; others after them, by text: the same value, the same bytes. */
    private static final Comparator<Keyed> ORDER = (a, b) -> {
        if (a.canonical != b.canonical) return a.canonical ? -1 : 1;
        return a.canonical ? Long.compare(a.id, b.id) : a.span.spanId.compareTo(b.span.spanId);
    };
    /** Layout 2's: by start, then as layout 1. */
    private static final Comparator<Keyed> BY_START = (a, b) -> {
        int byStart = Long.compare(a.span.startNanos, b.span.startNanos);
        return byStart != 0 ? byStart : ORDER.compare(a, b);
    };

    private final int layout;

    private ClosedTraceSerializer(int layout) {
        this.layout = layout;
    }

    /**
     * A span with its id parsed once: the comparator parsed both ids at every comparison (4% of local
     * mode's correlator thread in a profile at 12,000 records/s).
     */
    private record Keyed(SpanInfo span, boolean canonical, long id) {
        static Keyed of(SpanInfo span) {
            boolean canonical = CompactEncoding.isHexId(span.spanId, 16);
            return new Keyed(span, canonical, canonical ? HEX.fromHexDigitsToLong(span.spanId) : 0);
        }

        /** The id's key in the counted edges ({@link GraphIncrements#idKey}). */
        long edgeKey() {
            return canonical ? id : GraphIncrements.idKey(span.spanId);
        }
    }

    @Override
    public ClosedTrace createInstance() {
        return new ClosedTrace(new HashMap<>(), SeenSet.EMPTY, new HashMap<>(), SeenSet.EMPTY);
    }

    @Override
    public ClosedTrace copy(ClosedTrace from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(1024);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("copying a closed trace in memory", e);
        }
    }

    @Override
    public void serialize(ClosedTrace t, DataOutputView out) throws IOException {
        Keyed[] keyed = new Keyed[t.spans.size()];
        int k = 0;
        for (SpanInfo span : t.spans.values()) keyed[k++] = Keyed.of(span);
        Arrays.sort(keyed, layout == 1 ? ORDER : BY_START);
        SpanInfo[] spans = new SpanInfo[keyed.length];
        for (int i = 0; i < keyed.length; i++) spans[i] = keyed[i].span;
        Map<String, Integer> position = new HashMap<>(spans.length * 2);
        // Sorted and front-coded: names that share a prefix (an HTTP method, a service's name) store it once.
        TreeMap<String, Integer> words = new TreeMap<>();
        long base = Long.MAX_VALUE;
        for (int i = 0; i < spans.length; i++) {
            position.put(spans[i].spanId, i);
            if (spans[i].name != null) words.put(spans[i].name, 0);
            if (spans[i].service != null) words.put(spans[i].service, 0);
            base = Math.min(base, spans[i].startNanos);
        }
        List<String> dictionary = new ArrayList<>(words.keySet());
        for (int i = 0; i < dictionary.size(); i++) words.put(dictionary.get(i), i);
        if (spans.length == 0) base = 0;
        int scale = layout == 1 ? scale(spans, base) : scaleOfGaps(spans, base);
        long unit = POWERS_OF_TEN[scale];
        writeVarInt(out, dictionary.size());
        String previous = "";
        for (String word : dictionary) { // front-coded: what it shares with the word before, then the rest
            int shared = sharedPrefix(previous, word);
            writeVarInt(out, shared);
            writeString(out, word.substring(shared));
            previous = word;
        }
        out.writeLong(base);
        out.writeByte(scale);
        writeVarInt(out, spans.length);
        boolean[] edgeOfSpan = new boolean[t.edgesCounted.length];
        long previousStart = base;
        for (Keyed entry : keyed) {
            SpanInfo span = entry.span;
            int edge = Arrays.binarySearch(t.edgesCounted, entry.edgeKey());
            if (edge >= 0) edgeOfSpan[edge] = true;
            LinkCounts link = t.links.get(span.spanId);
            Integer parentAt = span.parentSpanId == null ? null : position.get(span.parentSpanId);
            int parent = span.parentSpanId == null ? PARENT_NONE : parentAt != null ? PARENT_INDEX : PARENT_ID;
            boolean canonical = entry.canonical;
            out.writeByte((span.error ? ERROR : 0) | (edge >= 0 ? EDGE_COUNTED : 0) | (link != null ? LINKED : 0)
                    | parent << PARENT_SHIFT | (canonical ? CANONICAL_ID : 0));
            if (canonical) out.writeLong(entry.id);
            else writeId(out, span.spanId);
            writeVarInt(out, span.name == null ? 0 : words.get(span.name) + 1);
            writeVarInt(out, span.service == null ? 0 : words.get(span.service) + 1);
            if (parent == PARENT_INDEX) writeVarInt(out, parentAt);
            else if (parent == PARENT_ID) writeId(out, span.parentSpanId);
            if (layout == 1) {
                writeVarLong(out, zigzag((span.startNanos - base) / unit));
            } else {
                writeVarLong(out, (span.startNanos - previousStart) / unit); // never negative: in order of start
                previousStart = span.startNanos;
            }
            writeVarLong(out, zigzag((span.endNanos - span.startNanos) / unit));
            if (link != null) {
                writeVarLong(out, link.logCount);
                writeVarLong(out, link.inferredLogCount);
            }
        }
        // Link entries of spans that are not tracked (their logs came, they did not, or beyond the cap).
        List<Map.Entry<String, LinkCounts>> untracked = new ArrayList<>();
        for (Map.Entry<String, LinkCounts> e : t.links.entrySet()) {
            if (!position.containsKey(e.getKey())) untracked.add(e);
        }
        untracked.sort(Map.Entry.comparingByKey());
        writeVarInt(out, untracked.size());
        for (Map.Entry<String, LinkCounts> e : untracked) {
            writeId(out, e.getKey());
            writeVarLong(out, e.getValue().logCount);
            writeVarLong(out, e.getValue().inferredLogCount);
        }
        int otherEdges = 0;
        for (boolean b : edgeOfSpan) if (!b) otherEdges++;
        writeVarInt(out, otherEdges);
        for (int i = 0; i < edgeOfSpan.length; i++) if (!edgeOfSpan[i]) out.writeLong(t.edgesCounted[i]);
        writeVarInt(out, t.fingerprints.length);
        for (long f : t.fingerprints) out.writeLong(f);
    }

    @Override
    public ClosedTrace deserialize(DataInputView in) throws IOException {
        String[] dictionary = new String[readVarInt(in)];
        String previous = "";
        for (int i = 0; i < dictionary.length; i++) {
            int shared = readVarInt(in);
            String rest = readString(in);
            if (shared > previous.length() || rest == null) throw new IOException("malformed dictionary in a closed trace");
            previous = dictionary[i] = previous.substring(0, shared) + rest;
        }
        long base = in.readLong();
        int scale = in.readUnsignedByte();
        if (scale >= POWERS_OF_TEN.length) throw new IOException("malformed time scale " + scale + " in a closed trace");
        long unit = POWERS_OF_TEN[scale];
        int n = readVarInt(in);
        SpanInfo[] spans = new SpanInfo[n];
        int[] parents = new int[n];
        Map<String, LinkCounts> links = new HashMap<>();
        long[] edges = new long[n];
        int edgeCount = 0;
        long previousStart = base;
        for (int i = 0; i < n; i++) {
            int flags = in.readUnsignedByte();
            SpanInfo span = new SpanInfo();
            span.spanId = (flags & CANONICAL_ID) != 0 ? HEX.toHexDigits(in.readLong()) : readId(in);
            span.name = word(dictionary, readVarInt(in));
            span.service = word(dictionary, readVarInt(in));
            int parent = (flags >> PARENT_SHIFT) & 3;
            parents[i] = -1;
            if (parent == PARENT_INDEX) parents[i] = readVarInt(in);
            else if (parent == PARENT_ID) span.parentSpanId = readId(in);
            if (layout == 1) {
                span.startNanos = base + unzigzag(readVarLong(in)) * unit;
            } else {
                span.startNanos = previousStart + readVarLong(in) * unit;
                previousStart = span.startNanos;
            }
            span.endNanos = span.startNanos + unzigzag(readVarLong(in)) * unit;
            span.error = (flags & ERROR) != 0;
            if ((flags & EDGE_COUNTED) != 0) edges[edgeCount++] = GraphIncrements.idKey(span.spanId);
            if ((flags & LINKED) != 0) links.put(span.spanId, counts(in));
            spans[i] = span;
        }
        Map<String, SpanInfo> byId = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            if (parents[i] >= 0) {
                if (parents[i] >= n) throw new IOException("malformed parent index " + parents[i] + " in a closed trace");
                spans[i].parentSpanId = spans[parents[i]].spanId;
            }
            byId.put(spans[i].spanId, spans[i]);
        }
        int untracked = readVarInt(in);
        for (int i = 0; i < untracked; i++) {
            String id = readId(in);
            links.put(id, counts(in));
        }
        int otherEdges = readVarInt(in);
        edges = Arrays.copyOf(edges, edgeCount + otherEdges);
        for (int i = 0; i < otherEdges; i++) edges[edgeCount + i] = in.readLong();
        Arrays.sort(edges);
        edges = distinct(edges);
        long[] fingerprints = new long[readVarInt(in)];
        for (int i = 0; i < fingerprints.length; i++) fingerprints[i] = in.readLong();
        return new ClosedTrace(byId, fingerprints, links, edges);
    }

    /** The chars {@code a} and {@code b} begin with alike, not splitting a surrogate pair. */
    private static int sharedPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) i++;
        if (i > 0 && Character.isHighSurrogate(a.charAt(i - 1))) i--;
        return i;
    }

    /** A sorted array without repeats (two spans whose edge keys collide count as one, as in the set written). */
    private static long[] distinct(long[] sorted) {
        int n = 0;
        for (int i = 0; i < sorted.length; i++) if (i == 0 || sorted[i] != sorted[i - 1]) sorted[n++] = sorted[i];
        return n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
    }

    private static LinkCounts counts(DataInputView in) throws IOException {
        LinkCounts c = new LinkCounts();
        c.logCount = readVarLong(in);
        c.inferredLogCount = readVarLong(in);
        return c;
    }

    private static String word(String[] dictionary, int index) throws IOException {
        if (index == 0) return null;
        if (index > dictionary.length) throw new IOException("malformed string index " + index + " in a closed trace");
        return dictionary[index - 1];
    }

    /** The largest power of ten (up to a second) that divides every span's start offset and duration. */
    private static int scale(SpanInfo[] spans, long base) {
        int scale = POWERS_OF_TEN.length - 1;
        for (SpanInfo span : spans) {
            while (scale > 0 && ((span.startNanos - base) % POWERS_OF_TEN[scale] != 0
                    || (span.endNanos - span.startNanos) % POWERS_OF_TEN[scale] != 0)) {
                scale--;
            }
            if (scale == 0) break;
        }
        return scale;
    }

    /**
     * Layout 2's: the largest power of ten (up to a second) that divides every gap between starts in order
     * and every duration ({@code spans} in order of start, the first starting at {@code base}).
     */
    private static int scaleOfGaps(SpanInfo[] spans, long base) {
        int scale = POWERS_OF_TEN.length - 1;
        long previous = base;
        for (SpanInfo span : spans) {
            while (scale > 0 && ((span.startNanos - previous) % POWERS_OF_TEN[scale] != 0
                    || (span.endNanos - span.startNanos) % POWERS_OF_TEN[scale] != 0)) {
                scale--;
            }
            if (scale == 0) break;
            previous = span.startNanos;
        }
        return scale;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    @Override
    public TypeSerializerSnapshot<ClosedTrace> snapshotConfiguration() {
        return layout == LAYOUT ? new Snapshot() : new Snapshot().at(layout);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClosedTraceSerializer other && other.layout == layout;
    }

    @Override
    public int hashCode() {
        return 31 * ClosedTraceSerializer.class.hashCode() + layout;
    }

    /**
     * Release 0.2.0 is the first to write this state; a change of {@code serialize} is a new layout
     * (docs/upgrades.md). Layout 1 was written by builds of main before layout 2 and is migrated on restore.
     */
    public static final class Snapshot extends LayoutSnapshot<ClosedTrace> {
        public Snapshot() {
            super(LAYOUT, 1, layout -> layout == LAYOUT ? INSTANCE : layout == 1 ? LAYOUT_1 : null);
        }
    }
}
