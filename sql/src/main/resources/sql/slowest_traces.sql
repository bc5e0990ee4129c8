-- The five slowest traces per service: Top-N by duration_ms over the latest record of every trace,
-- per the trace's own service (the record's `service`: its root span's service). Ties go to the smaller
-- trace id. An updating result: a rank changes when a slower trace arrives or a record grows.

SET 'table.local-time-zone' = 'UTC';

CREATE TABLE slowest_traces (
  service     STRING,
  slowest     BIGINT,
  trace_id    STRING,
  duration_ms BIGINT,
  PRIMARY KEY (service, slowest) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'slowest_traces',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json',
  'value.format' = 'json'
);

INSERT INTO slowest_traces
SELECT service, slowest, trace_id, duration_ms
FROM (
  SELECT service, trace_id, duration_ms,
         ROW_NUMBER() OVER (PARTITION BY service ORDER BY duration_ms DESC, trace_id ASC) AS slowest
  FROM correlations
)
WHERE slowest <= 5;
