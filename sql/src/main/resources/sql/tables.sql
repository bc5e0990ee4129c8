-- Correlation Station: the job's Kafka topics as Flink SQL tables (docs/sql.md).
-- Paste into the SQL client before a job script, or let SqlRunner run it first.
-- Topic names are the ones docs/sql.md recommends for KAFKA_NORMALIZED_SPANS_TOPIC,
-- KAFKA_NORMALIZED_LOGS_TOPIC and KAFKA_CORRELATIONS_TOPIC; the job writes them with Kafka
-- transactions, so every table reads read_committed.

SET 'table.local-time-zone' = 'UTC';

-- Every span the job read (duplicates included), event time = the span's end (SPEC §2).
CREATE TABLE normalized_spans (
  trace_id             STRING,
  span_id              STRING,
  parent_span_id       STRING,
  `name`               STRING,
  service              STRING,
  env                  STRING,
  start_time_unix_nano BIGINT,
  end_time_unix_nano   BIGINT,
  start_time_ms        BIGINT,
  end_time_ms          BIGINT,
  `error`              BOOLEAN,
  legacy_trace_id      STRING,
  start_time AS TO_TIMESTAMP_LTZ(start_time_ms, 3),
  end_time   AS TO_TIMESTAMP_LTZ(end_time_ms, 3),
  -- MAX_OUT_OF_ORDERNESS_MS (5 s by default), as the job's own watermarks
  WATERMARK FOR end_time AS end_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'normalized_spans',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'correlation-station-sql',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

-- Every log, with the job's join decision: span_id is the log's own span id; joined_span_id,
-- joined_span_name and inferred are what the correlator decided (SPEC §3). Logs without a trace id
-- have trace_id NULL and no join. log_id is the dedup identity (time, span id, body) in 16 hex.
-- A log is written when it is decided, i.e. up to JOIN_SLACK_MS + MAX_OUT_OF_ORDERNESS_MS behind the
-- job's watermark: the 10 s bound keeps such logs in time.
CREATE TABLE normalized_logs (
  log_id           STRING,
  trace_id         STRING,
  span_id          STRING,
  correlation_id   STRING,
  service          STRING,
  env              STRING,
  host             STRING,
  time_unix_nano   BIGINT,
  time_ms          BIGINT,
  severity_number  INT,
  severity_text    STRING,
  `error`          BOOLEAN,
  body             STRING,
  attributes       MAP<STRING, STRING>,
  legacy_trace_id  STRING,
  joined_span_id   STRING,
  joined_span_name STRING,
  inferred         BOOLEAN,
  log_time AS TO_TIMESTAMP_LTZ(time_ms, 3),
  WATERMARK FOR log_time AS log_time - INTERVAL '10' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'normalized_logs',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'correlation-station-sql',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
);

-- The latest correlation record per trace (SPEC §4): an upsert topic keyed by trace_id.
CREATE TABLE correlations (
  trace_id         STRING,
  schema_version   INT,
  correlation_id   STRING,
  legacy_trace_id  STRING,
  `status`         STRING,
  `version`        BIGINT,
  first_seen       TIMESTAMP_LTZ(3),
  last_seen        TIMESTAMP_LTZ(3),
  duration_ms      BIGINT,
  `root`           ROW<service STRING, operation STRING, span_id STRING>,
  service          STRING,
  services         ARRAY<STRING>,
  env              STRING,
  span_count       BIGINT,
  log_count        BIGINT,
  error_span_count BIGINT,
  error_log_count  BIGINT,
  max_severity     STRING,
  has_error        BOOLEAN,
  edges            ARRAY<ROW<parent STRING, child STRING, calls BIGINT, errors BIGINT>>,
  links            ARRAY<ROW<span_id STRING, span_name STRING, service STRING, log_count BIGINT, inferred_log_count BIGINT>>,
  late_events      BIGINT,
  truncated        BOOLEAN,
  updated_at       TIMESTAMP_LTZ(3),
  PRIMARY KEY (trace_id) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'correlations',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'correlation-station-sql',
  'properties.isolation.level' = 'read_committed',
  'key.format' = 'raw',
  'value.format' = 'json',
  'value.json.timestamp-format.standard' = 'ISO-8601',
  'value.fields-include' = 'ALL'
);
