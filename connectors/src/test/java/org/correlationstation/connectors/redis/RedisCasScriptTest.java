package org.correlationstation.connectors.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.correlationstation.core.testing.RedisServerExtension;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The record compare-and-set (SPEC §5) against a real Redis. */
class RedisCasScriptTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    private static final long TTL_MS = 60_000;

    private final CasScript cas = new CasScript();
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void connect() {
        client = RedisClient.create(REDIS.uri());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterEach
    void disconnect() {
        if (connection == null) { // skipped: no redis-server
            return;
        }
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private long write(CorrelationRecord record) throws Exception {
        return cas.write(connection.async(), RedisRecordWrite.of(record), TTL_MS).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private String stored(CorrelationRecord record) {
        return redis.get(RedisKeys.record(record.correlationId));
    }

    @Test
    void firstWriteIsStored() throws Exception {
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 3);

        assertThat(write(r)).isEqualTo(1);
        assertThat(stored(r)).isEqualTo(RecordCodec.toJson(r));
    }

    @Test
    void olderReplayIsRejectedAndStoredUnchanged() throws Exception {
        String trace = TestRecords.newTraceId();
        CorrelationRecord newer = TestRecords.record(trace, 10);
        newer.version = 4;
        CorrelationRecord older = TestRecords.record(trace, 5);
        older.version = 2;
        write(newer);

        assertThat(write(older)).isEqualTo(CasScript.REJECTED);
        assertThat(stored(newer)).isEqualTo(RecordCodec.toJson(newer));
    }

    @Test
    void progressCountsLogsAndLateEventsToo() throws Exception {
        String trace = TestRecords.newTraceId();
        CorrelationRecord stored = TestRecords.record(trace, 4);
        stored.logCount = 3;
        stored.lateEvents = 1; // progress 8
        CorrelationRecord fewer = TestRecords.record(trace, 7); // progress 7
        CorrelationRecord more = TestRecords.record(trace, 4);
        more.logCount = 5; // progress 9
        write(stored);

        assertThat(write(fewer)).isEqualTo(CasScript.REJECTED);
        assertThat(write(more)).isGreaterThan(0);
        assertThat(RecordCodec.fromJson(stored(more)).logCount).isEqualTo(5);
    }

    @Test
    void lateEventsCountInALongRecord() throws Exception {
        // late_events comes after the links: in a long record the script looks for it near the end first
        String trace = TestRecords.newTraceId();
        CorrelationRecord stored = TestRecords.record(trace, 40);
        stored.links = manyLinks(40, 1);
        stored.lateEvents = 3; // progress 43
        CorrelationRecord fewer = TestRecords.copy(stored);
        fewer.spanCount = 42;
        fewer.lateEvents = 0; // progress 42
        write(stored);

        assertThat(RecordCodec.toJson(stored).length()).isGreaterThan(2_000);
        assertThat(write(fewer)).isEqualTo(CasScript.REJECTED);
    }

    @Test
    void aChangeThatKeepsTheProgressAndTheLengthStillCountsAsContent() throws Exception {
        String trace = TestRecords.newTraceId();
        CorrelationRecord stored = TestRecords.record(trace, 40);
        stored.links = manyLinks(40, 1);
        stored.version = 2;
        CorrelationRecord inferred = TestRecords.copy(stored);
        inferred.links = manyLinks(40, 2); // one digit for another: same length, same progress
        inferred.version = 2;
        write(stored);

        assertThat(RecordCodec.toJson(inferred).length()).isEqualTo(RecordCodec.toJson(stored).length());
        assertThat(write(inferred)).isEqualTo(3);
        assertThat(RecordCodec.fromJson(stored(inferred)).links.get(0).inferredLogCount).isEqualTo(2);
        assertThat(write(TestRecords.copy(inferred))).as("the same content again").isEqualTo(3);
    }

    private static List<CorrelationRecord.Link> manyLinks(int n, int inferred) {
        List<CorrelationRecord.Link> links = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            links.add(new CorrelationRecord.Link(String.format("%016x", i + 1), "GET /api/orders/{id}", "checkout", 5, inferred));
        }
        return links;
    }

    @Test
    void openAfterClosedAtEqualProgressIsRejected() throws Exception {
        String trace = TestRecords.newTraceId();
        CorrelationRecord closed = TestRecords.record(trace, 6);
        closed.status = CorrelationRecord.CLOSED;
        closed.version = 3;
        CorrelationRecord open = TestRecords.record(trace, 6);
        open.version = 2;
        write(closed);

        assertThat(write(open)).isEqualTo(CasScript.REJECTED);
        assertThat(RecordCodec.fromJson(stored(closed)).status).isEqualTo(CorrelationRecord.CLOSED);
    }

    @Test
    void closedAfterOpenAtEqualProgressIsWritten() throws Exception {
        String trace = TestRecords.newTraceId();
        CorrelationRecord open = TestRecords.record(trace, 6);
        open.version = 2;
        CorrelationRecord closed = TestRecords.copy(open);
        closed.status = CorrelationRecord.CLOSED;
        closed.version = 3;
        write(open);

        assertThat(write(closed)).isEqualTo(3);
        assertThat(stored(closed)).isEqualTo(RecordCodec.toJson(closed));
    }

    @Test
    void redoneClosingEmissionIsWritten() throws Exception {
        CorrelationRecord closed = TestRecords.record(TestRecords.newTraceId(), 6);
        closed.status = CorrelationRecord.CLOSED;
        closed.version = 3;
        write(closed);

        assertThat(write(TestRecords.copy(closed))).isEqualTo(3);
    }

    @Test
    void versionNeverDecreasesWhenContentChanges() throws Exception {
        String trace = TestRecords.newTraceId();
        CorrelationRecord stored = TestRecords.record(trace, 5);
        stored.version = 5;
        // A restarted job emits from version 1 again, with more content than stored.
        CorrelationRecord replayed = TestRecords.record(trace, 8);
        replayed.version = 2;
        write(stored);

        assertThat(write(replayed)).isEqualTo(6);
        CorrelationRecord now = RecordCodec.fromJson(stored(replayed));
        assertThat(now.version).isEqualTo(6);
        assertThat(now.spanCount).isEqualTo(8);
        CorrelationRecord expected = TestRecords.copy(replayed);
        expected.version = 6;
        assertThat(stored(replayed)).isEqualTo(RecordCodec.toJson(expected));
    }

    @Test
    void higherNewVersionIsKept() throws Exception {
        String trace = TestRecords.newTraceId();
        CorrelationRecord stored = TestRecords.record(trace, 5);
        stored.version = 2;
        CorrelationRecord next = TestRecords.record(trace, 6);
        next.version = 9;
        write(stored);

        assertThat(write(next)).isEqualTo(9);
    }

    @Test
    void identicalContentKeepsVersionAndTakesNewUpdatedAt() throws Exception {
        CorrelationRecord stored = TestRecords.record(TestRecords.newTraceId(), 5);
        stored.version = 5;
        CorrelationRecord same = TestRecords.copy(stored);
        same.version = 3;
        same.updatedAt = RecordCodec.formatTime(TestRecords.FIRST_SEEN + 60_000);
        write(stored);

        assertThat(write(same)).isEqualTo(5);
        CorrelationRecord now = RecordCodec.fromJson(stored(stored));
        assertThat(now.version).isEqualTo(5);
        assertThat(now.updatedAt).isEqualTo(same.updatedAt);
    }

    @Test
    void contentOfNestedFieldsCounts() throws Exception {
        String trace = TestRecords.newTraceId();
        CorrelationRecord stored = TestRecords.record(trace, 5);
        stored.version = 4;
        CorrelationRecord changed = TestRecords.copy(stored);
        changed.version = 4;
        changed.links = List.of(new CorrelationRecord.Link("00f067aa0ba902b7", "version\":7", "checkout", 0, 0));
        write(stored);

        assertThat(write(changed)).isEqualTo(5);
        assertThat(RecordCodec.fromJson(stored(changed)).links.get(0).spanName).isEqualTo("version\":7");
    }

    @Test
    void recordKeyGetsTheTtl() throws Exception {
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1);
        write(r);

        assertThat(redis.pttl(RedisKeys.record(r.correlationId))).isPositive().isLessThanOrEqualTo(TTL_MS);
    }

    @Test
    void rejectedWriteLeavesTtlAlone() throws Exception {
        String trace = TestRecords.newTraceId();
        write(TestRecords.record(trace, 5));
        redis.pexpire(RedisKeys.record(TestRecords.record(trace, 5).correlationId), 5_000);

        assertThat(write(TestRecords.record(trace, 1))).isEqualTo(CasScript.REJECTED);
        assertThat(redis.pttl(RedisKeys.record(TestRecords.record(trace, 5).correlationId))).isLessThanOrEqualTo(5_000);
    }

    @Test
    void recordAndTraceKeysGetTheConfiguredTtlThroughTheBatchWriter() throws Exception {
        RedisSinkOptions options = RedisSink.builder().setRedisUri(REDIS.uri())
                .setRecordTtl(Duration.ofSeconds(30)).buildOptions();
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1);
        writeBatch(new RecordBatchWriter(cas, options), System.currentTimeMillis(), r);

        assertThat(redis.ttl(RedisKeys.record(r.correlationId))).isPositive().isLessThanOrEqualTo(30);
        assertThat(redis.ttl(RedisKeys.trace(r.traceId))).isPositive().isLessThanOrEqualTo(30);
        assertThat(redis.get(RedisKeys.trace(r.traceId))).isEqualTo(r.correlationId);
    }

    @Test
    void aBatchIndexesEveryRecordUnderEachOfItsKeysWithOneWritePerKey() throws Exception {
        RedisSinkOptions options = RedisSink.builder().setRedisUri(REDIS.uri()).buildOptions();
        CorrelationRecord a = TestRecords.record(TestRecords.newTraceId(), 1, "cart", "payments");
        CorrelationRecord b = TestRecords.record(TestRecords.newTraceId(), 1, "payments");
        b.firstSeen = RecordCodec.formatTime(RecordCodec.parseTime(a.firstSeen) + 5_000);
        b.errorSpanCount = 1;
        b.hasError = true;
        CorrelationRecord earlierA = TestRecords.copy(a);
        earlierA.firstSeen = RecordCodec.formatTime(RecordCodec.parseTime(a.firstSeen) - 1_000);
        earlierA.spanCount = 2;
        long now = System.currentTimeMillis();
        RecordBatchWriter writer = new RecordBatchWriter(cas, options);
        writeBatch(writer, now, a, b);
        // a later batch may only lower a score (LT), per member
        writeBatch(writer, now, earlierA);

        double aScore = RecordCodec.parseTime(earlierA.firstSeen);
        double bScore = RecordCodec.parseTime(b.firstSeen);
        assertThat(redis.zrangeWithScores(RedisKeys.TIME_INDEX, 0, -1)).extracting(v -> v.getValue() + "@" + v.getScore())
                .containsExactly(a.correlationId + "@" + aScore, b.correlationId + "@" + bScore);
        assertThat(redis.zrange(RedisKeys.service("payments"), 0, -1)).containsExactly(a.correlationId, b.correlationId);
        assertThat(redis.zrange(RedisKeys.service("cart"), 0, -1)).containsExactly(a.correlationId);
        assertThat(redis.zrange(RedisKeys.ERRORS_INDEX, 0, -1)).containsExactly(b.correlationId);
        assertThat(redis.zrange(RedisKeys.EXPIRIES, 0, -1)).containsExactlyInAnyOrder(a.correlationId, b.correlationId);
        assertThat(redis.smembers(RedisKeys.indexesOf(a.correlationId))).containsExactlyInAnyOrder(
                RedisKeys.TIME_INDEX, RedisKeys.service("cart"), RedisKeys.service("payments"));
        for (String index : List.of(RedisKeys.TIME_INDEX, RedisKeys.service("cart"), RedisKeys.service("payments"),
                RedisKeys.ERRORS_INDEX)) {
            assertThat(redis.pttl(index)).as(index).isPositive();
        }
    }

    @Test
    void aReEmissionWithUnchangedIndexesRefreshesTheirExpiryWithoutIndexingAgain() throws Exception {
        RedisSinkOptions options = RedisSink.builder().setRedisUri(REDIS.uri()).buildOptions();
        RecordBatchWriter writer = new RecordBatchWriter(cas, options);
        CorrelationRecord first = TestRecords.record(TestRecords.newTraceId(), 1, "cart");
        CorrelationRecord second = TestRecords.record(first.traceId, 4, "cart");
        second.version = 2;
        CorrelationRecord third = TestRecords.record(first.traceId, 6, "cart", "payments");
        third.version = 3;
        long now = System.currentTimeMillis();
        writeBatch(writer, now, first);
        String cart = RedisKeys.service("cart");
        redis.pexpire(cart, 1_000);
        long indexWritesBefore = calls("zadd") + calls("sadd");

        writeBatch(writer, now + 1_000, second);

        assertThat(calls("zadd") + calls("sadd")).isEqualTo(indexWritesBefore);
        assertThat(RecordCodec.fromJson(stored(second)).spanCount).isEqualTo(4);
        assertThat(redis.pttl(cart)).isGreaterThan(1_000);

        writeBatch(writer, now + 2_000, third); // a new service: indexed under it
        assertThat(redis.zrange(RedisKeys.service("payments"), 0, -1)).containsExactly(first.correlationId);
        assertThat(redis.zrange(cart, 0, -1)).containsExactly(first.correlationId);
        assertThat(redis.smembers(RedisKeys.indexesOf(first.correlationId))).containsExactlyInAnyOrder(
                RedisKeys.TIME_INDEX, cart, RedisKeys.service("payments"));
    }

    @Test
    void theBookkeepingOfARecordIsRefreshedOnceATrimRoundAfterItWasIndexed() throws Exception {
        RedisSinkOptions options = RedisSink.builder().setRedisUri(REDIS.uri()).buildOptions();
        long ttl = options.recordTtl().toMillis();
        long round = options.indexTrimInterval().toMillis();
        RecordBatchWriter writer = new RecordBatchWriter(cas, options);
        CorrelationRecord first = TestRecords.record(TestRecords.newTraceId(), 1, "cart");
        String bookkeeping = RedisKeys.indexesOf(first.correlationId);
        long now = System.currentTimeMillis();
        writeBatch(writer, now, first);
        long pttl = redis.pttl(bookkeeping);
        assertThat(pttl).as("set with the index entries").isGreaterThan(ttl + round);

        // Within a round of being indexed, the bookkeeping still outlives a record written now by a round.
        CorrelationRecord second = TestRecords.record(first.traceId, 4, "cart");
        second.version = 2;
        writeBatch(writer, now + round - 1, second);
        assertThat(redis.pttl(bookkeeping)).as("not refreshed").isLessThanOrEqualTo(pttl);
        assertThat(RecordCodec.fromJson(stored(second)).spanCount).isEqualTo(4);

        // A round later it would not, so the write refreshes it. (The key's real expiry is still far away; a
        // shorter one stands in for the time that passed.)
        redis.pexpire(bookkeeping, 1_000);
        CorrelationRecord third = TestRecords.record(first.traceId, 6, "cart");
        third.version = 3;
        writeBatch(writer, now + round, third);
        assertThat(redis.pttl(bookkeeping)).as("refreshed").isGreaterThan(ttl + round);
    }

    /** One batch of {@code records} through the batch writer, at wall-clock time {@code now}. */
    private void writeBatch(RecordBatchWriter writer, long now, CorrelationRecord... records) throws Exception {
        List<RedisRecordWrite> batch = Arrays.stream(records).map(RedisRecordWrite::of).toList();
        writer.write(connection.async(), batch, now).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** How many times the server ran {@code command} so far. */
    private long calls(String command) {
        for (String line : redis.info("commandstats").split("\\r?\\n")) {
            if (line.startsWith("cmdstat_" + command + ":")) return Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
        }
        return 0;
    }

    @Test
    void theStoredRecordIsJudgedByItsTopLevelFieldsOnly() throws Exception {
        // links carry their own log_count, and text may quote field names: neither may pass for the
        // record's progress or status
        CorrelationRecord stored = TestRecords.record(TestRecords.newTraceId(), 1, "svc \"status\":\"closed\" \"span_count\":99");
        stored.logCount = 1;
        stored.links = List.of(new CorrelationRecord.Link("00f067aa0ba902b7", "op \"log_count\":77", "svc", 50, 0));
        stored.version = 4;
        write(stored);
        CorrelationRecord next = TestRecords.copy(stored);
        next.spanCount = 2; // progress 3 > 2: written, and the content changed, so version 5
        next.version = 2;

        assertThat(write(next)).isEqualTo(5);
        assertThat(RecordCodec.fromJson(stored(next)).spanCount).isEqualTo(2);
        CorrelationRecord older = TestRecords.copy(stored); // progress 2 < 3: rejected
        assertThat(write(older)).isEqualTo(CasScript.REJECTED);
    }

    @Test
    void worksAfterTheScriptCacheWasFlushed() throws Exception {
        CorrelationRecord first = TestRecords.record(TestRecords.newTraceId(), 1);
        write(first);
        redis.scriptFlush();
        CorrelationRecord second = TestRecords.record(TestRecords.newTraceId(), 1);
        second.version = 2; // a first emission would not need the script

        assertThat(write(second)).isEqualTo(2);
        assertThat(stored(second)).isEqualTo(RecordCodec.toJson(second));
    }

    @Test
    void onAConnectionFlushedByItsUserTheCommandsThatRepliesCauseAreSentToo() throws Exception {
        try (StatefulRedisConnection<String, String> pipelined = client.connect()) {
            pipelined.setAutoFlushCommands(false);
            // A replayed first emission: SET NX finds the record, and the script decides...
            CorrelationRecord stored = TestRecords.record(TestRecords.newTraceId(), 3);
            write(stored);
            CorrelationRecord replay = TestRecords.copy(stored);
            replay.spanCount = 4;
            // ...and a later one after the script cache was emptied: EVALSHA fails, then EVAL.
            CorrelationRecord later = TestRecords.record(TestRecords.newTraceId(), 1);
            later.version = 2;
            redis.scriptFlush();

            CompletableFuture<Long> replayed = cas.write(pipelined.async(), pipelined::flushCommands,
                    RedisRecordWrite.of(replay), TTL_MS).toCompletableFuture();
            CompletableFuture<Long> evaluated = cas.write(pipelined.async(), pipelined::flushCommands,
                    RedisRecordWrite.of(later), TTL_MS).toCompletableFuture();
            pipelined.flushCommands(); // the caller's flush; what the replies cause, the script flushes itself

            assertThat(replayed.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(RecordCodec.fromJson(stored(replay)).spanCount).isEqualTo(4);
            assertThat(evaluated.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(stored(later)).isEqualTo(RecordCodec.toJson(later));
        }
    }

    @Test
    void aFirstEmissionIsStoredWithoutTheScript() throws Exception {
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 3);
        long scriptsBefore = scriptCalls();

        assertThat(write(r)).isEqualTo(1);
        assertThat(stored(r)).isEqualTo(RecordCodec.toJson(r));
        assertThat(redis.pttl(RedisKeys.record(r.correlationId))).isPositive().isLessThanOrEqualTo(TTL_MS);
        assertThat(scriptCalls()).isEqualTo(scriptsBefore);
    }

    @Test
    void aFirstEmissionReplayedAfterARestoreIsJudgedByTheScript() throws Exception {
        String trace = TestRecords.newTraceId();
        CorrelationRecord stored = TestRecords.record(trace, 10);
        stored.version = 4;
        write(stored);
        CorrelationRecord replayed = TestRecords.record(trace, 5); // version 1, less advanced
        CorrelationRecord grown = TestRecords.record(trace, 12);   // version 1, more advanced

        assertThat(write(replayed)).isEqualTo(CasScript.REJECTED);
        assertThat(stored(stored)).isEqualTo(RecordCodec.toJson(stored));
        assertThat(write(grown)).isEqualTo(5);
        assertThat(RecordCodec.fromJson(stored(grown)).spanCount).isEqualTo(12);
    }

    /** EVAL and EVALSHA calls the server has answered so far. */
    private long scriptCalls() {
        return calls("evalsha") + calls("eval");
    }

    @Test
    void aStoredValueThatIsNoRecordIsOverwritten() throws Exception {
        CorrelationRecord r = TestRecords.record(TestRecords.newTraceId(), 1);
        redis.set(RedisKeys.record(r.correlationId), "not json");

        assertThat(write(r)).isEqualTo(1);
        assertThat(stored(r)).isEqualTo(RecordCodec.toJson(r));
    }
}
