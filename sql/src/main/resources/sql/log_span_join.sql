-- The log <-> span join of SPEC §3 in SQL: one (log, span) pair per log with a trace id, upserted by
-- (trace_id, log_id). Run after tables.sql. It recomputes the join from the logs' own fields (trace_id,
-- span_id, service, time) and the spans; the job's decision in normalized_logs is not used, so the two
-- implementations can be compared (docs/sql.md).
--
-- Unlike the job, this join is event-time only: a log or span behind the watermark is dropped by the
-- interval join, and a span longer than one hour is never an inferred candidate. Use it for analytics
-- and cross-checks; the job's decision (joined_span_id) is the one Loki and the records use.

SET 'table.local-time-zone' = 'UTC';
-- State of the explicit-span-id join: keep a span one hour, like CORRELATION_TTL_SECONDS.
SET 'table.exec.state.ttl' = '1 h';

CREATE TABLE log_span_pairs (
  trace_id       STRING,
  log_id         STRING,
  service        STRING,
  time_unix_nano BIGINT,
  body           STRING,
  span_id        STRING,
  span_name      STRING,
  inferred       BOOLEAN,
  PRIMARY KEY (trace_id, log_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'log_span_pairs',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json',
  'value.format' = 'json'
);

INSERT INTO log_span_pairs
-- A log that carries a span id joins that span wherever its time falls (a regular join, no window).
-- span_name stays NULL while the span is unknown, as in the job.
SELECT l.trace_id, l.log_id, l.service, l.time_unix_nano, l.body,
       l.span_id AS span_id, s.`name` AS span_name, FALSE AS inferred
FROM normalized_logs AS l
LEFT JOIN (SELECT DISTINCT trace_id, span_id, `name` FROM normalized_spans) AS s
  ON l.trace_id = s.trace_id AND l.span_id = s.span_id
WHERE l.trace_id IS NOT NULL AND l.span_id IS NOT NULL

UNION ALL

-- A log without a span id joins the innermost candidate: spans of its trace and service whose
-- [start - 1 s, end + 1 s] (JOIN_SLACK_MS = 1000) contains the log time; latest start first, ties to
-- the smallest span id. The interval join bounds the time range on the event-time attributes (span end
-- within [log - 1 h - 1 s, log + 1 s]); the exact test is on nanoseconds, as the job compares them.
-- A LEFT interval join emits a log without candidates once the watermark passes its window.
SELECT trace_id, log_id, service, time_unix_nano, body, span_id, span_name, span_id IS NOT NULL AS inferred
FROM (
  SELECT l.trace_id, l.log_id, l.service, l.time_unix_nano, l.body, s.span_id, s.`name` AS span_name,
         ROW_NUMBER() OVER (PARTITION BY l.trace_id, l.log_id
                            ORDER BY s.start_time_unix_nano DESC, s.span_id ASC) AS candidate
  FROM normalized_logs AS l
  LEFT JOIN normalized_spans AS s
    ON l.trace_id = s.trace_id AND l.service = s.service
   AND l.log_time BETWEEN s.end_time - INTERVAL '1' HOUR - INTERVAL '1' SECOND AND s.end_time + INTERVAL '1' SECOND
   AND l.time_unix_nano BETWEEN s.start_time_unix_nano - 1000000000 AND s.end_time_unix_nano + 1000000000
  WHERE l.trace_id IS NOT NULL AND l.span_id IS NULL
)
WHERE candidate = 1;
