package org.correlationstation.connectors.loki;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.correlationstation.connectors.loki.proto.EntryAdapter;
import org.correlationstation.connectors.loki.proto.PushRequest;
import org.correlationstation.connectors.loki.proto.StreamAdapter;
import org.xerial.snappy.Snappy;

/**
 * Encodes a batch of {@link LokiEntry} as Loki's push request (SPEC §7): the protobuf
 * {@code logproto.PushRequest} of grafana/loki {@code pkg/push/push.proto}, snappy block-compressed,
 * to be POSTed with {@code Content-Type: application/x-protobuf} (and no Content-Encoding).
 *
 * <pre>
 * PushRequest      { repeated StreamAdapter streams = 1; }
 * StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
 * EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
 *                    repeated LabelPairAdapter structuredMetadata = 3; }
 * LabelPairAdapter { string name = 1; string value = 2; }
 * Timestamp        { int64 seconds = 1; int32 nanos = 2; }
 * </pre>
 *
 * Entries are grouped into one stream per label set (streams in label-string order), and each stream's
 * entries are in time order (stable: equal timestamps keep the batch order). Loki's limits are applied
 * here, so that Loki never rejects a batch for them: at most {@value #MAX_METADATA_ENTRIES} metadata
 * entries and {@value #MAX_METADATA_BYTES} bytes of metadata (names plus values, as Loki counts them)
 * per line, the mandatory keys ({@link #MANDATORY_METADATA}) first, then the attributes in key order;
 * lines are cut to {@value #MAX_LINE_BYTES} bytes at a character boundary. A line that lost anything
 * counts once in {@link Encoded#truncatedLines()}; no entry is ever dropped. Thread-safe (stateless).
 */
public final class LokiPushEncoder {
    public static final int MAX_METADATA_ENTRIES = 128;
    public static final int MAX_METADATA_BYTES = 64 * 1024;
    public static final int MAX_LINE_BYTES = 256 * 1024;
    /** Loki's default {@code max_label_value_length}; longer label values are cut (not counted). */
    public static final int MAX_LABEL_VALUE_CHARS = 2048;
    /** Kept first when the metadata must be truncated. */
    public static final List<String> MANDATORY_METADATA =
            List.of("trace_id", "span_id", "correlation_id", "span_name", "inferred_span", "trace_id_source");
    public static final String UNKNOWN_SERVICE = "unknown_service";

    /** What one batch became. */
    public record Encoded(byte[] body, int uncompressedBytes, int streams, int entries, int truncatedLines) {}

    private LokiPushEncoder() {}

    /** The snappy-compressed PushRequest for {@code entries}. */
    public static Encoded encode(List<LokiEntry> entries) {
        Prepared prepared = prepare(entries);
        byte[] raw = serialize(prepared.streams);
        try {
            return new Encoded(Snappy.compress(raw), raw.length, prepared.streams.size(), entries.size(),
                    prepared.truncated);
        } catch (IOException e) {
            throw new UncheckedIOException("snappy compression failed", e);
        }
    }

    /** The uncompressed PushRequest (for tests and debugging). */
    static byte[] encodeUncompressed(List<LokiEntry> entries) {
        return serialize(prepare(entries).streams);
    }

    // ---------------------------------------------------------------- labels

    /** The entry's stream selector in Loki's form, labels sorted: {@code {level="info", service_name="x"}}. */
    public static String labels(LokiEntry e) {
        return labels(e.deploymentEnvironment, e.level, e.serviceName);
    }

    private static String labels(String deploymentEnvironment, String level, String serviceName) {
        StringBuilder b = new StringBuilder(64).append('{');
        boolean first = true;
        first = appendLabel(b, first, "deployment_environment", deploymentEnvironment);
        first = appendLabel(b, first, "level", level);
        String service = serviceName == null || serviceName.isEmpty() ? UNKNOWN_SERVICE : serviceName;
        appendLabel(b, first, "service_name", service);
        return b.append('}').toString();
    }

    private static boolean appendLabel(StringBuilder b, boolean first, String name, String value) {
        if (value == null || value.isEmpty()) {
            return first; // Loki treats an empty label as absent
        }
        if (value.length() > MAX_LABEL_VALUE_CHARS) {
            value = value.substring(0, cutBefore(value, MAX_LABEL_VALUE_CHARS));
        }
        if (!first) {
            b.append(", ");
        }
        b.append(name).append("=\"");
        escape(b, value);
        b.append('"');
        return false;
    }

    /** Escapes a label value as a Go/PromQL double-quoted string literal body. */
    static void escape(StringBuilder b, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }

    /** A structured-metadata name Loki accepts: {@code [A-Za-z_][A-Za-z0-9_]*} ({@code .}, {@code -}, … → {@code _}). */
    public static String safeKey(String key) {
        if (key == null || key.isEmpty()) {
            return "_";
        }
        StringBuilder b = null;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!ok && b == null) {
                b = new StringBuilder(key.length()).append(key, 0, i);
            }
            if (b != null) {
                b.append(ok ? c : '_');
            }
        }
        String safe = b == null ? key : b.toString();
        char first = safe.charAt(0);
        return first >= '0' && first <= '9' ? "_" + safe : safe;
    }

    // ---------------------------------------------------------------- limits

    /**
     * An entry as it is written: text already UTF-8, so that sizing and writing it do not walk the
     * characters again (they were the largest part of encoding).
     */
    private record Line(long timestampNanos, int batchIndex, byte[] line, List<byte[][]> metadata) {}

    /** Time order, stable: equal timestamps keep the batch order (also across keys merged into one stream). */
    private static final Comparator<Line> IN_TIME_ORDER =
            Comparator.comparingLong(Line::timestampNanos).thenComparingInt(Line::batchIndex);

    private record Prepared(Map<String, List<Line>> streams, int truncated) {}

    /** What an entry's stream is made of: grouped by these, the label string is built once per stream. */
    private record StreamKey(String deploymentEnvironment, String level, String serviceName) {}

    /** Among the non-mandatory metadata ({safe name, original key, value}): by safe name, then original key. */
    private static final Comparator<String[]> BY_SAFE_NAME_THEN_KEY =
            Comparator.<String[], String>comparing(m -> m[0]).thenComparing(m -> m[1]);

    private static Prepared prepare(List<LokiEntry> entries) {
        Map<StreamKey, List<Line>> byKey = new HashMap<>();
        int truncated = 0;
        int batchIndex = 0;
        for (LokiEntry e : entries) {
            boolean[] cut = {false};
            byte[] line = limitLine(e.line == null ? "" : e.line, cut);
            List<byte[][]> metadata = limitMetadata(e.structuredMetadata, cut);
            if (cut[0]) {
                truncated++;
            }
            byKey.computeIfAbsent(new StreamKey(e.deploymentEnvironment, e.level, e.serviceName), k -> new ArrayList<>())
                    .add(new Line(e.timestampNanos, batchIndex++, line, metadata));
        }
        Map<String, List<Line>> streams = new TreeMap<>();
        for (Map.Entry<StreamKey, List<Line>> stream : byKey.entrySet()) {
            StreamKey k = stream.getKey();
            // Keys that differ only in what labels() leaves out or cuts (empty, too long) are one stream.
            streams.merge(labels(k.deploymentEnvironment(), k.level(), k.serviceName()), stream.getValue(), (a, b) -> {
                a.addAll(b);
                return a;
            });
        }
        for (List<Line> lines : streams.values()) {
            lines.sort(IN_TIME_ORDER);
        }
        return new Prepared(streams, truncated);
    }

    /** The line as UTF-8 (unpaired surrogates become '?', as String.getBytes has it), cut at a character boundary. */
    private static byte[] limitLine(String line, boolean[] cut) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_LINE_BYTES) {
            return bytes;
        }
        cut[0] = true;
        int end = MAX_LINE_BYTES;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // bytes[end] continues the character before it: cut before that character
        }
        return Arrays.copyOf(bytes, end);
    }

    /**
     * The metadata in the order it is kept, by safe name, the first occurrence of a name winning: the
     * mandatory keys, then the others by safe name (on a collision, a.b and a_b, the smaller original key
     * wins); within Loki's limits. An array sort, not maps: this ran for every line and was a fifth of
     * the Loki writer's time.
     */
    private static List<byte[][]> limitMetadata(Map<String, String> metadata, boolean[] cut) {
        if (metadata == null || metadata.isEmpty()) {
            return List.of();
        }
        String[][] others = new String[metadata.size()][];
        int n = 0;
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            if (m.getValue() != null && !MANDATORY_METADATA.contains(m.getKey())) {
                others[n++] = new String[] {safeKey(m.getKey()), m.getKey(), m.getValue()};
            }
        }
        if (n > 1) {
            Arrays.sort(others, 0, n, BY_SAFE_NAME_THEN_KEY);
        }
        Limited kept = new Limited(Math.min(n + MANDATORY_METADATA.size(), MAX_METADATA_ENTRIES));
        for (String key : MANDATORY_METADATA) {
            String value = metadata.get(key);
            if (value != null && !kept.add(key, value)) {
                break;
            }
        }
        for (int i = 0; i < n && !kept.full; i++) {
            String name = others[i][0];
            boolean taken = (i > 0 && others[i - 1][0].equals(name))
                    || (MANDATORY_METADATA.contains(name) && metadata.get(name) != null);
            if (!taken) {
                kept.add(name, others[i][2]);
            }
        }
        if (kept.cut) {
            cut[0] = true;
        }
        return kept.pairs;
    }

    /** Name/value pairs within Loki's count and byte limits. */
    private static final class Limited {
        final List<byte[][]> pairs;
        long bytes;
        boolean full;
        boolean cut;

        Limited(int expected) {
            pairs = new ArrayList<>(expected);
        }

        /** Keeps the pair if it fits; false once no more can be kept. */
        boolean add(String name, String value) {
            if (pairs.size() == MAX_METADATA_ENTRIES) {
                full = true;
                cut = true;
                return false;
            }
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            long size = n.length + (long) v.length;
            if (bytes + size > MAX_METADATA_BYTES) {
                cut = true; // too big to fit: skipped, smaller ones after it may still fit
                return true;
            }
            bytes += size;
            pairs.add(new byte[][] {n, v});
            return true;
        }
    }

    // ---------------------------------------------------------------- protobuf

    private static byte[] serialize(Map<String, List<Line>> streams) {
        int total = 0;
        List<int[]> sizes = new ArrayList<>(streams.size()); // per stream: [streamSize, entrySize...]
        for (Map.Entry<String, List<Line>> s : streams.entrySet()) {
            int[] sz = new int[s.getValue().size() + 1];
            int streamSize = CodedOutputStream.computeStringSize(1, s.getKey());
            for (int i = 0; i < s.getValue().size(); i++) {
                sz[i + 1] = entrySize(s.getValue().get(i));
                streamSize += lengthDelimitedSize(2, sz[i + 1]);
            }
            sz[0] = streamSize;
            sizes.add(sz);
            total += lengthDelimitedSize(1, streamSize);
        }
        byte[] out = new byte[total];
        CodedOutputStream cos = CodedOutputStream.newInstance(out);
        try {
            int si = 0;
            for (Map.Entry<String, List<Line>> s : streams.entrySet()) {
                int[] sz = sizes.get(si++);
                cos.writeTag(1, 2);
                cos.writeUInt32NoTag(sz[0]);
                cos.writeString(1, s.getKey());
                List<Line> lines = s.getValue();
                for (int i = 0; i < lines.size(); i++) {
                    cos.writeTag(2, 2);
                    cos.writeUInt32NoTag(sz[i + 1]);
                    writeEntry(cos, lines.get(i));
                }
            }
            cos.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The same request built with the classes protoc generates from push.proto: the JMH comparison's
     * other side (LokiPushEncodeBenchmark), and what the hand encoder must equal byte for byte.
     */
    static byte[] serializeGenerated(List<LokiEntry> entries) {
        PushRequest.Builder request = PushRequest.newBuilder();
        for (Map.Entry<String, List<Line>> s : prepare(entries).streams.entrySet()) {
            StreamAdapter.Builder stream = request.addStreamsBuilder().setLabels(s.getKey());
            for (Line l : s.getValue()) {
                EntryAdapter.Builder entry = stream.addEntriesBuilder();
                entry.getTimestampBuilder().setSeconds(seconds(l.timestampNanos)).setNanos(nanos(l.timestampNanos));
                entry.setLineBytes(ByteString.copyFrom(l.line));
                for (byte[][] pair : l.metadata) {
                    entry.addStructuredMetadataBuilder().setNameBytes(ByteString.copyFrom(pair[0]))
                            .setValueBytes(ByteString.copyFrom(pair[1]));
                }
            }
        }
        return request.build().toByteArray();
    }

    /** {@link #serializeGenerated}, snappy-compressed as {@link #encode} sends it. */
    public static byte[] encodeGenerated(List<LokiEntry> entries) {
        try {
            return Snappy.compress(serializeGenerated(entries));
        } catch (IOException e) {
            throw new UncheckedIOException("snappy compression failed", e);
        }
    }

    private static int lengthDelimitedSize(int field, int size) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }

    private static long seconds(long nanos) {
        return Math.floorDiv(nanos, 1_000_000_000L);
    }

    private static int nanos(long nanos) {
        return (int) Math.floorMod(nanos, 1_000_000_000L);
    }

    private static int timestampSize(long t) {
        long s = seconds(t);
        int n = nanos(t);
        return (s != 0 ? CodedOutputStream.computeInt64Size(1, s) : 0)
                + (n != 0 ? CodedOutputStream.computeInt32Size(2, n) : 0);
    }

    private static int pairSize(byte[][] pair) {
        return (pair[0].length == 0 ? 0 : CodedOutputStream.computeByteArraySize(1, pair[0]))
                + (pair[1].length == 0 ? 0 : CodedOutputStream.computeByteArraySize(2, pair[1]));
    }

    private static int entrySize(Line l) {
        int size = lengthDelimitedSize(1, timestampSize(l.timestampNanos));
        if (l.line.length > 0) {
            size += CodedOutputStream.computeByteArraySize(2, l.line);
        }
        for (byte[][] pair : l.metadata) {
            size += lengthDelimitedSize(3, pairSize(pair));
        }
        return size;
    }

    private static void writeEntry(CodedOutputStream cos, Line l) throws IOException {
        // The timestamp is written even when zero: Loki's Go type has it non-nullable.
        cos.writeTag(1, 2);
        cos.writeUInt32NoTag(timestampSize(l.timestampNanos));
        long s = seconds(l.timestampNanos);
        int n = nanos(l.timestampNanos);
        if (s != 0) {
            cos.writeInt64(1, s);
        }
        if (n != 0) {
            cos.writeInt32(2, n);
        }
        if (l.line.length > 0) {
            cos.writeByteArray(2, l.line);
        }
        for (byte[][] pair : l.metadata) {
            cos.writeTag(3, 2);
            cos.writeUInt32NoTag(pairSize(pair));
            if (pair[0].length > 0) {
                cos.writeByteArray(1, pair[0]);
            }
            if (pair[1].length > 0) {
                cos.writeByteArray(2, pair[1]);
            }
        }
    }

    // ---------------------------------------------------------------- text helpers

    /** An index ≤ max that does not split a surrogate pair. */
    private static int cutBefore(String s, int max) {
        return Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    }
}
