-- Late-event share per service: of all events (spans and logs) of the traces whose service (the
-- record's `service`, the root span's) it is, the share that arrived after their trace closed
-- (SPEC §3's late events). Computed over the latest record of every trace; updating result.

SET 'table.local-time-zone' = 'UTC';

CREATE TABLE late_event_share (
  service     STRING,
  traces      BIGINT,
  events      BIGINT,
  late_events BIGINT,
  late_share  DOUBLE,
  PRIMARY KEY (service) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'late_event_share',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json',
  'value.format' = 'json'
);

INSERT INTO late_event_share
SELECT service, COUNT(*) AS traces, SUM(span_count + log_count) AS events, SUM(late_events) AS late_events,
       CAST(SUM(late_events) AS DOUBLE) / NULLIF(SUM(span_count + log_count), 0) AS late_share
FROM correlations
GROUP BY service;
