package org.correlationstation.bench.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.correlationstation.bench.load.OtlpBatch;
import org.correlationstation.bench.load.SentTrace;
import org.correlationstation.bench.load.Signal;
import org.correlationstation.bench.load.TrafficGenerator;
import org.correlationstation.bench.load.TrafficProfile;
import org.correlationstation.core.testdata.OtlpMessages;

/**
 * OTLP requests encoded before any clock starts, so that the driver spends next to nothing per request
 * on a machine it shares with what it measures. One <em>round</em> is a stretch of the load generator's
 * traffic ({@link TrafficGenerator}: batches of spans and of logs, every trace complete within the
 * round), encoded once as protobuf and as OTLP/JSON. Request {@code i} is batch {@code i mod size} of
 * round {@code i / size}: the same bytes with the round's trace ids and timestamps written in place, so
 * every round is new traffic to the job (fresh traces, later event times) and a run can be as long as
 * it likes without holding more than one round in memory.
 *
 * <p>A trace id's first four bytes are XORed with the round number (round 0 as generated); every
 * timestamp moves by the round's shift, which keeps event time moving forward from round to round and
 * never behind the wall clock (see {@link #shiftNanos}). Both are fixed-width edits: 16 raw bytes or 32
 * hex characters, a fixed64 or 19 decimal digits.
 *
 * <p>Thread-safe.
 */
public final class RequestPool {
    /** How a request body is encoded, with its Content-Type. */
    public enum Encoding {
        PROTOBUF("application/x-protobuf"),
        JSON("application/json");

        public final String contentType;

        Encoding(String contentType) {
            this.contentType = contentType;
        }
    }

    private static final HexFormat HEX = HexFormat.of();
    private static final String[] JSON_ID_KEYS = {"\"traceId\":\""};
    private static final String[] JSON_TIME_KEYS =
            {"\"startTimeUnixNano\":\"", "\"endTimeUnixNano\":\"", "\"timeUnixNano\":\"", "\"observedTimeUnixNano\":\""};

    /** One batch, encoded both ways, with where its trace ids and timestamps are. */
    private record Template(Signal signal, int events, byte[] protobuf, int[] protobufIds, int[] protobufTimes,
            byte[] json, int[] jsonIds, int[] jsonTimes) {}

    private final Template[] templates;
    private final List<SentTrace> traces;
    private final long roundEvents;
    /** Event time the generator's clock covered in one round. */
    private final long roundSpanNanos;
    /** The wall clock (epoch nanos) the generator's clock started at. */
    private final long originNanos;
    private final List<Long> shifts = new ArrayList<>();

    private RequestPool(Template[] templates, List<SentTrace> traces, long roundSpanNanos, long originNanos) {
        this.templates = templates;
        this.traces = traces;
        long events = 0;
        for (Template t : templates) events += t.events;
        this.roundEvents = events;
        this.roundSpanNanos = roundSpanNanos;
        this.originNanos = originNanos;
    }

    /**
     * Generates a round of at least {@code eventsPerRound} events ({@code profile}'s batches, its late
     * spans sent within the round), on a clock that advances {@code generatorRate} events per second.
     */
    public static RequestPool generate(TrafficProfile profile, long seed, long eventsPerRound, double generatorRate) {
        TrafficGenerator generator = new TrafficGenerator(profile, seed);
        List<OtlpBatch> batches = new ArrayList<>();
        List<SentTrace> traces = new ArrayList<>();
        long origin = System.currentTimeMillis();
        long clock = origin;
        while (generator.events() < eventsPerRound) {
            clock = origin + (long) (generator.events() * 1000 / generatorRate);
            traces.add(generator.nextTrace(clock, batches::add));
            generator.releaseDue(clock, batches::add);
        }
        generator.flush(batches::add);
        Template[] templates = batches.stream().map(RequestPool::template).toArray(Template[]::new);
        return new RequestPool(templates, List.copyOf(traces), Math.max(1, clock - origin) * 1_000_000L + 1_000_000L,
                origin * 1_000_000L);
    }

    private static Template template(OtlpBatch batch) {
        byte[] protobuf = batch.message().toByteArray();
        IntList protobufIds = new IntList();
        IntList protobufTimes = new IntList();
        int events = OtlpShape.walk(protobuf, batch.signal(), new OtlpShape.Offsets() {
            @Override
            public void traceId(int offset) {
                protobufIds.add(offset);
            }

            @Override
            public void timestamp(int offset) {
                protobufTimes.add(offset);
            }
        });
        byte[] json = OtlpMessages.toJson(batch.message());
        int[] jsonIds = find(json, JSON_ID_KEYS);
        int[] jsonTimes = find(json, JSON_TIME_KEYS);
        // The JSON printer leaves out zero timestamps and empty ids, and so does protobuf: the same fields.
        if (events != batch.events() || jsonIds.length != protobufIds.size || jsonTimes.length != protobufTimes.size) {
            throw new IllegalStateException("the batch's encodings disagree: " + events + " events of " + batch.events()
                    + ", ids " + jsonIds.length + "/" + protobufIds.size + ", timestamps " + jsonTimes.length + "/"
                    + protobufTimes.size);
        }
        return new Template(batch.signal(), events, protobuf, protobufIds.toArray(), protobufTimes.toArray(), json,
                jsonIds, jsonTimes);
    }

    /** Offsets of the values (after the opening quote) of every {@code "key":"} in {@code json}. */
    static int[] find(byte[] json, String[] keys) {
        IntList at = new IntList();
        for (String key : keys) {
            byte[] k = key.getBytes(StandardCharsets.US_ASCII);
            for (int i = indexOf(json, k, 0); i >= 0; i = indexOf(json, k, i + k.length)) at.add(i + k.length);
        }
        int[] offsets = at.toArray();
        java.util.Arrays.sort(offsets);
        return offsets;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /** Requests in a round. */
    public int size() {
        return templates.length;
    }

    /** Events (spans + log records) in a round. */
    public long eventsPerRound() {
        return roundEvents;
    }

    public Signal signal(long i) {
        return templates[(int) (i % templates.length)].signal;
    }

    /** Spans or log records in request {@code i}. */
    public int events(long i) {
        return templates[(int) (i % templates.length)].events;
    }

    /** The average events per request. */
    public double eventsPerRequest() {
        return (double) roundEvents / templates.length;
    }

    /** Request {@code i}'s body: its batch with its round's trace ids and timestamps. */
    public byte[] body(long i, Encoding encoding) {
        Template t = templates[(int) (i % templates.length)];
        int round = round(i);
        long shift = shiftNanos(round);
        if (encoding == Encoding.PROTOBUF) {
            byte[] b = t.protobuf.clone();
            for (int at : t.protobufIds) xorRound(b, at, round);
            for (int at : t.protobufTimes) putLongLe(b, at, getLongLe(b, at) + shift);
            return b;
        }
        byte[] b = t.json.clone();
        for (int at : t.jsonIds) patchHexId(b, at, round);
        for (int at : t.jsonTimes) patchDecimal(b, at, shift);
        return b;
    }

    /** The traces of rounds {@code from} (inclusive) to {@code to} (exclusive), with their ids in those rounds. */
    public List<SentTrace> traces(int from, int to) {
        List<SentTrace> out = new ArrayList<>(traces.size() * Math.max(0, to - from));
        for (int round = from; round < to; round++) {
            for (SentTrace t : traces) out.add(withRound(t, round));
        }
        return out;
    }

    public int round(long i) {
        return Math.toIntExact(i / templates.length);
    }

    /**
     * How far round {@code round}'s timestamps move: at least one round's span past the previous
     * round's, so event time only goes forward, and at least the wall clock's advance since the
     * generator's start, so that it does not fall behind when requests go out slower than generated.
     * Fixed when a round is first asked for; earlier rounds are fixed first.
     */
    synchronized long shiftNanos(int round) {
        while (shifts.size() <= round) {
            long previous = shifts.isEmpty() ? -roundSpanNanos : shifts.get(shifts.size() - 1);
            long wall = System.currentTimeMillis() * 1_000_000L - originNanos;
            shifts.add(Math.max(previous + roundSpanNanos, wall));
        }
        return shifts.get(round);
    }

    static SentTrace withRound(SentTrace t, int round) {
        byte[] id = HEX.parseHex(t.traceId());
        xorRound(id, 0, round);
        return new SentTrace(HEX.formatHex(id), t.rootService(), t.spans(), t.logsWithSpanId(), t.logsTraceOnly(),
                t.errorSpans(), t.lateSpans(), t.edges());
    }

    static void xorRound(byte[] b, int at, int round) {
        b[at] ^= (byte) (round >>> 24);
        b[at + 1] ^= (byte) (round >>> 16);
        b[at + 2] ^= (byte) (round >>> 8);
        b[at + 3] ^= (byte) round;
    }

    /** The first 8 hex characters at {@code at} (a trace id's first 4 bytes), XORed with the round. */
    static void patchHexId(byte[] b, int at, int round) {
        int v = Integer.parseUnsignedInt(new String(b, at, 8, StandardCharsets.US_ASCII), 16) ^ round;
        byte[] hex = HEX.toHexDigits(v).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(hex, 0, b, at, 8);
    }

    /** The decimal number at {@code at} (up to the closing quote) plus {@code delta}, in as many digits. */
    static void patchDecimal(byte[] b, int at, long delta) {
        int end = at;
        long v = 0;
        while (b[end] != '"') v = v * 10 + (b[end++] - '0');
        long patched = v + delta;
        for (int i = end - 1; i >= at; i--) {
            b[i] = (byte) ('0' + patched % 10);
            patched /= 10;
        }
        if (patched != 0) throw new IllegalStateException("a timestamp grew a digit: " + (v + delta));
    }

    private static long getLongLe(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[at + i] & 0xff);
        return v;
    }

    private static void putLongLe(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    /** A growable int array (offsets: hundreds to thousands per batch). */
    private static final class IntList {
        int[] values = new int[64];
        int size;

        void add(int v) {
            if (size == values.length) values = java.util.Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
