package org.correlationstation.bench.check;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.correlationstation.core.redis.RedisEndpoint;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.correlationstation.bench.load.CommandLine;
import org.correlationstation.bench.load.SentManifest;
import org.correlationstation.bench.load.SentTrace;
import org.correlationstation.core.record.CorrelationIds;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.correlationstation.core.redis.RedisKeys;

/**
 * Verifies every correlation record a run produced against what the load generator sent (its
 * manifest): each trace has a record in Redis whose span_count and log_count are the spans and traced
 * logs sent. {@code bench/check.sh --redis-url URL --manifest FILE}; exits 1 on any difference. With
 * {@code --records api --api-url URL}, the records are read through the query API instead (local mode's
 * in-memory store).
 */
public final class RecordChecker {
    private static final int PIPELINE = 1000;

    /**
     * @param examples up to ten differences, for the report
     * @param matchedEvents the spans and logs of the records that match: the events they account for
     */
    public record Result(long checked, long matched, long missing, long different, List<String> examples, long matchedEvents) {
        public Result(long checked, long matched, long missing, long different, List<String> examples) {
            this(checked, matched, missing, different, examples, 0);
        }

        public boolean allMatch() {
            return checked > 0 && matched == checked;
        }

        @Override
        public String toString() {
            return String.format("%,d traces checked: %,d records match, %,d missing, %,d differ%s", checked, matched,
                    missing, different, examples.isEmpty() ? "" : " (e.g. " + String.join("; ", examples) + ")");
        }
    }

    private RecordChecker() {}

    public static Result check(String redisUri, List<SentTrace> sent) throws Exception {
        // REDIS_URL as the job and the API read it: standalone, Sentinel or Cluster.
        RedisEndpoint endpoint = RedisEndpoint.parse(redisUri);
        AbstractRedisClient client;
        StatefulConnection<String, String> stateful;
        RedisClusterAsyncCommands<String, String> async;
        if (endpoint.cluster()) {
            RedisClusterClient cluster = RedisClusterClient.create(endpoint.nodes());
            StatefulRedisClusterConnection<String, String> c = cluster.connect();
            client = cluster;
            stateful = c;
            async = c.async();
        } else {
            RedisClient standalone = RedisClient.create(endpoint.nodes().get(0));
            StatefulRedisConnection<String, String> c = standalone.connect();
            client = standalone;
            stateful = c;
            async = c.async();
        }
        try (StatefulConnection<String, String> connection = stateful) {
            Tally tally = new Tally();
            for (int from = 0; from < sent.size(); from += PIPELINE) {
                List<SentTrace> slice = sent.subList(from, Math.min(sent.size(), from + PIPELINE));
                List<RedisFuture<String>> replies = new ArrayList<>(slice.size());
                for (SentTrace t : slice) replies.add(async.get(RedisKeys.record(CorrelationIds.forTrace(t.traceId()))));
                for (int i = 0; i < slice.size(); i++) tally.add(slice.get(i), replies.get(i).get(1, TimeUnit.MINUTES));
            }
            return tally.result();
        } finally {
            client.shutdown();
        }
    }

    /**
     * The same check through the query API ({@code GET /api/correlations?trace_id=}), for a store the
     * checker cannot read directly: local mode's in-memory store, or any deployment from outside.
     */
    public static Result checkViaApi(String apiUrl, String token, List<SentTrace> sent) throws Exception {
        List<String> records = ApiRecords.fetch(apiUrl, token, sent.stream().map(SentTrace::traceId).toList());
        Tally tally = new Tally();
        for (int i = 0; i < sent.size(); i++) tally.add(sent.get(i), records.get(i));
        return tally.result();
    }

    /** Each trace against its record's JSON (null: no record). */
    private static final class Tally {
        long matched;
        long missing;
        long different;
        long checked;
        long matchedEvents;
        /** Records that differ first: with a TTL shorter than the run, missing ones are expected by the thousand. */
        final List<String> examples = new ArrayList<>();
        final List<String> missingExamples = new ArrayList<>();

        void add(SentTrace t, String json) {
            checked++;
            if (json == null) {
                missing++;
                if (missingExamples.size() < 10) missingExamples.add(t.traceId() + " has no record");
                return;
            }
            CorrelationRecord r = RecordCodec.fromJson(json);
            if (r.spanCount == t.spans() && r.logCount == t.logs()) {
                matched++;
                matchedEvents += t.spans() + t.logs();
            } else {
                different++;
                if (examples.size() < 10) {
                    examples.add(String.format("%s: span_count %d (sent %d), log_count %d (sent %d)",
                            t.traceId(), r.spanCount, t.spans(), r.logCount, t.logs()));
                }
            }
        }

        Result result() {
            List<String> all = new ArrayList<>(examples);
            for (String m : missingExamples) if (all.size() < 10) all.add(m);
            return new Result(checked, matched, missing, different, all, matchedEvents);
        }
    }

    public static void main(String[] argv) throws Exception {
        CommandLine args = new CommandLine(argv);
        String redis = args.get("redis-url", "redis://localhost:6379");
        String manifest = args.get("manifest", "sent.tsv");
        // --api-url: also the service graph, through the query API (GraphChecker)
        String api = args.get("api-url", "");
        // --records api: read the records through the query API (local mode's in-memory store) instead of Redis
        String records = args.get("records", "redis");
        String token = args.get("api-token", "");
        long sinceMillis = args.getLong("since-ms", System.currentTimeMillis() - Duration.ofHours(24).toMillis());
        args.rejectUnknown();
        List<SentTrace> sent = SentManifest.read(Path.of(manifest));
        if (!records.equals("redis") && !(records.equals("api") && !api.isEmpty())) {
            throw new IllegalArgumentException("--records is redis (default) or api, which needs --api-url");
        }
        Result result = records.equals("api") ? checkViaApi(api, token.isEmpty() ? null : token, sent) : check(redis, sent);
        System.out.println(result);
        boolean ok = result.allMatch();
        if (!api.isEmpty()) {
            GraphChecker.Result graph = GraphChecker.check(api, token.isEmpty() ? null : token,
                    Instant.ofEpochMilli(sinceMillis), sent);
            System.out.println(graph);
            ok &= graph.allMatch();
        }
        System.exit(ok ? 0 : 1);
    }
}
