-- Services that co-occur in failing traces: for every pair of services (service_a < service_b) that
-- both take part in a trace with an error (has_error), the number of such traces. Computed over the
-- latest record of every trace; updating result.

SET 'table.local-time-zone' = 'UTC';

CREATE TABLE failing_service_pairs (
  service_a      STRING,
  service_b      STRING,
  failing_traces BIGINT,
  PRIMARY KEY (service_a, service_b) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'failing_service_pairs',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'json',
  'value.format' = 'json'
);

INSERT INTO failing_service_pairs
SELECT a.service_a, b.service_b, COUNT(*) AS failing_traces
FROM correlations AS c
CROSS JOIN UNNEST(c.services) AS a (service_a)
CROSS JOIN UNNEST(c.services) AS b (service_b)
WHERE c.has_error AND a.service_a < b.service_b
GROUP BY a.service_a, b.service_b;
