package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.correlationstation.api.http.ApiTestSupport.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.correlationstation.api.store.CorrelationStore;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code GET /api/graph} answers over every store, over real HTTP: buckets seeded the way the job
 * stores them (the Redis hash per bucket and its index; {@code putGraph} for memory), then sums across
 * buckets, the bucket range, the service filter, percentiles, expired buckets, defaults and bad
 * parameters. Buckets are a minute ({@code GRAPH_BUCKET_SECONDS} default).
 */
abstract class ApiGraphContract {
    /**
     * The first bucket. On a three-primary cluster (slots split in three as {@code redis-cli --cluster
     * create} does) the three buckets from it lie on three different nodes, and the index on one of
     * them: the reads go to every node.
     */
    static final long T0 = RecordCodec.parseTime("2026-11-22T10:22:00.000Z");
    static final long MINUTE = 60_000;

    protected ApiTestSupport api;

    /** A new store over empty data: the test's server runs on it and closes it. */
    protected abstract CorrelationStore newStore() throws Exception;

    /** Stores one bucket as the job does. */
    protected abstract void seed(long bucketStart, Map<GraphKey, GraphCounts> elements) throws Exception;

    /**
     * Leaves a bucket as it is once its data expired and its index entry did not (Redis: the index
     * member without its hash). Called before any {@link #seed} of the test: the memory store gets the
     * bucket and then lets its TTL pass.
     */
    protected abstract void seedExpired(long bucketStart, Map<GraphKey, GraphCounts> elements) throws Exception;

    @BeforeEach
    void startApi() throws Exception {
        api = ApiTestSupport.start(Map.of(), newStore());
    }

    @AfterEach
    void stopApi() {
        if (api != null) api.close();
    }

    /** Three buckets of spans; {@code spans.get(i)} is bucket {@code i}'s, seeded at {@code T0 + i} minutes. */
    protected List<List<GraphFixture.Span>> seedThree(long seed) throws Exception {
        List<List<GraphFixture.Span>> spans = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            spans.add(GraphFixture.spans(seed + i, 400 + 100 * i));
            seed(T0 + i * MINUTE, GraphFixture.bucket(spans.get(i)));
        }
        return spans;
    }

    protected JsonNode graph(String query) {
        HttpResponse<String> r = api.get("/api/graph" + query);
        assertThat(r.statusCode()).as(query + " → " + r.body()).isEqualTo(200);
        return json(r);
    }

    @Test
    void sumsEveryNodeAndEdgeOverTheBucketsInRange() throws Exception {
        List<List<GraphFixture.Span>> spans = seedThree(1);
        List<GraphFixture.Span> all = new ArrayList<>();
        spans.forEach(all::addAll);
        JsonNode body = graph("?since=" + T0 + "&until=" + (T0 + 3 * MINUTE));
        GraphFixture.assertGraph(body, GraphFixture.expected(all, null));
        assertThat(body.get("nodes")).hasSize(5);
        assertThat(body.get("edges")).hasSize(5);
        assertThat(body.get("since").asText()).isEqualTo("2026-11-22T10:22:00.000Z");
        assertThat(body.get("until").asText()).isEqualTo("2026-11-22T10:25:00.000Z");
        // RFC 3339 and the aliases read the same.
        JsonNode aliased = graph("?start_time=2026-11-22T11:22:00%2B01:00&end_time=2026-11-22T10:25:00Z");
        assertThat(aliased).isEqualTo(body);
    }

    @Test
    void aBucketIsInTheRangeWhenItsStartIs() throws Exception {
        List<List<GraphFixture.Span>> spans = seedThree(2);
        // since inclusive, until exclusive, both on bucket starts.
        GraphFixture.assertGraph(graph("?since=" + (T0 + MINUTE) + "&until=" + (T0 + 2 * MINUTE)),
                GraphFixture.expected(spans.get(1), null));
        // The bucket is the granularity: one that starts before since is left out whole, one that
        // starts before until is in whole.
        List<GraphFixture.Span> last2 = new ArrayList<>(spans.get(1));
        last2.addAll(spans.get(2));
        GraphFixture.assertGraph(graph("?since=" + (T0 + 1) + "&until=" + (T0 + 2 * MINUTE + 1)),
                GraphFixture.expected(last2, null));
        GraphFixture.assertGraph(graph("?since=" + (T0 - 5 * MINUTE) + "&until=" + (T0 + 1)),
                GraphFixture.expected(spans.get(0), null));
    }

    @Test
    void theServiceFilterKeepsItsNodeAndTheEdgesWhereItIsParentOrChild() throws Exception {
        List<List<GraphFixture.Span>> spans = seedThree(3);
        List<GraphFixture.Span> all = new ArrayList<>();
        spans.forEach(all::addAll);
        String range = "&since=" + T0 + "&until=" + (T0 + 3 * MINUTE);
        JsonNode checkout = graph("?service=checkout" + range);
        GraphFixture.assertGraph(checkout, GraphFixture.expected(all, "checkout"));
        assertThat(checkout.get("nodes")).hasSize(1);
        assertThat(checkout.get("edges")).hasSize(4); // frontend→checkout, checkout→{inventory, payments, ODD}
        // A self-call is one edge, kept once.
        JsonNode payments = graph("?service=payments" + range);
        GraphFixture.assertGraph(payments, GraphFixture.expected(all, "payments"));
        assertThat(payments.get("edges")).hasSize(2);

        JsonNode nobody = graph("?service=nobody" + range);
        assertThat(nobody.get("nodes")).isEmpty();
        assertThat(nobody.get("edges")).isEmpty();
    }

    @Test
    void anEmptyRangeAnswersEmptyArrays() throws Exception {
        seedThree(4);
        for (String query : List.of("?since=" + T0 + "&until=" + T0, "?since=" + (T0 + 3 * MINUTE) + "&until="
                + (T0 + 60 * MINUTE), "?since=" + (T0 - 5 * 24 * 60 * MINUTE) + "&until=" + T0)) {
            JsonNode body = graph(query);
            assertThat(body.get("nodes").isArray()).isTrue();
            assertThat(body.get("nodes")).as(query).isEmpty();
            assertThat(body.get("edges").isArray()).isTrue();
            assertThat(body.get("edges")).as(query).isEmpty();
        }
        JsonNode none = graph("?since=0&until=0");
        assertThat(none.get("since").asText()).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(none.get("until").asText()).isEqualTo("1970-01-01T00:00:00.000Z");
    }

    @Test
    void aBucketWhoseDataExpiredIsSkipped() throws Exception {
        List<GraphFixture.Span> gone = GraphFixture.spans(50, 300);
        seedExpired(T0, GraphFixture.bucket(gone));
        List<GraphFixture.Span> kept = GraphFixture.spans(51, 300);
        seed(T0 + MINUTE, GraphFixture.bucket(kept));
        GraphFixture.assertGraph(graph("?since=" + T0 + "&until=" + (T0 + 2 * MINUTE)), GraphFixture.expected(kept, null));
        JsonNode onlyGone = graph("?since=" + T0 + "&until=" + (T0 + MINUTE));
        assertThat(onlyGone.get("nodes")).isEmpty();
        assertThat(onlyGone.get("edges")).isEmpty();
    }

    @Test
    void missingBoundsMeanTheLastHourOrTheHourBeforeUntil() throws Exception {
        long now = System.currentTimeMillis();
        long recent = now - now % MINUTE - 10 * MINUTE;
        List<GraphFixture.Span> spans = GraphFixture.spans(60, 200);
        seed(recent, GraphFixture.bucket(spans));
        seed(recent - 2 * 60 * MINUTE, GraphFixture.bucket(GraphFixture.spans(61, 100)));

        long before = System.currentTimeMillis();
        JsonNode body = graph("");
        long after = System.currentTimeMillis();
        long until = RecordCodec.parseTime(body.get("until").asText());
        assertThat(until).isBetween(before, after);
        assertThat(RecordCodec.parseTime(body.get("since").asText())).isEqualTo(until - 60 * MINUTE);
        GraphFixture.assertGraph(body, GraphFixture.expected(spans, null));

        // until alone: the hour before it.
        JsonNode hourBefore = graph("?until=" + (recent + 1));
        assertThat(hourBefore.get("since").asText()).isEqualTo(RecordCodec.formatTime(recent + 1 - 60 * MINUTE));
        GraphFixture.assertGraph(hourBefore, GraphFixture.expected(spans, null));
        // since alone: until now, but never more than the longest range after since.
        JsonNode sinceRecent = graph("?since=" + recent);
        assertThat(RecordCodec.parseTime(sinceRecent.get("until").asText())).isGreaterThanOrEqualTo(after);
        GraphFixture.assertGraph(sinceRecent, GraphFixture.expected(spans, null));
        JsonNode sinceLongAgo = graph("?since=" + T0);
        assertThat(sinceLongAgo.get("until").asText()).isEqualTo(RecordCodec.formatTime(T0 + 10_080 * MINUTE));
        JsonNode sinceLater = graph("?since=" + (now + 60 * MINUTE));
        assertThat(sinceLater.get("until")).isEqualTo(sinceLater.get("since"));
        assertThat(sinceLater.get("nodes")).isEmpty();
    }

    @Test
    void badParametersAre400NamingThem() {
        long week = 10_080 * MINUTE;
        Map<String, String> cases = Map.ofEntries(
                Map.entry("?since=" + (T0 + 1) + "&until=" + T0, "since"),
                Map.entry("?start_time=" + (T0 + 1) + "&end_time=" + T0, "start_time"),
                Map.entry("?since=" + T0 + "&until=" + (T0 + week + 1), "10080"),
                Map.entry("?since=yesterday", "since"),
                Map.entry("?until=-1", "until"),
                Map.entry("?start_time=2026-02-30T00:00:00Z", "start_time"),
                Map.entry("?end_time=", "end_time"),
                Map.entry("?since=1&start_time=1", "start_time"),
                Map.entry("?until=1&end_time=1", "end_time"),
                Map.entry("?service=", "service"),
                Map.entry("?service=a%20b", "service"),
                Map.entry("?service=a..b", "service"),
                Map.entry("?service=" + "a".repeat(257), "service"),
                Map.entry("?service=a&service=b", "service"),
                Map.entry("?limit=5", "limit"));
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = api.get("/api/graph" + c.getKey());
            ApiBadInputTest.assertInvalid(r, c.getValue());
        }
        HttpResponse<String> tooLong = api.get("/api/graph?since=" + T0 + "&until=" + (T0 + week + 1));
        assertThat(json(tooLong).at("/error/message").asText()).contains("since", "until");
        // The longest range itself is fine.
        graph("?since=" + T0 + "&until=" + (T0 + week));
    }
}
