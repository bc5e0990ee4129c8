-- Error traces per service per minute: for each service and one-minute tumbling window (event time),
-- the number of distinct traces in which that service had an error span (status ERROR) or an error
-- log (severity_number >= 17). Run after tables.sql. Append-only: a window is written once, when the
-- watermark passes its end; events behind the watermark are not counted.

SET 'table.local-time-zone' = 'UTC';

CREATE TABLE error_traces_per_minute (
  service      STRING,
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  error_traces BIGINT,
  PRIMARY KEY (service, window_start) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'error_traces_per_minute',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json',
  'key.json.timestamp-format.standard' = 'ISO-8601',
  'value.format' = 'json',
  'value.json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TEMPORARY VIEW error_events AS
  SELECT trace_id, service, end_time AS event_time FROM normalized_spans WHERE `error`
  UNION ALL
  SELECT trace_id, service, log_time AS event_time FROM normalized_logs WHERE `error` AND trace_id IS NOT NULL;

INSERT INTO error_traces_per_minute
SELECT service, window_start, window_end, COUNT(DISTINCT trace_id) AS error_traces
FROM TABLE(TUMBLE(TABLE error_events, DESCRIPTOR(event_time), INTERVAL '1' MINUTE))
GROUP BY service, window_start, window_end;
