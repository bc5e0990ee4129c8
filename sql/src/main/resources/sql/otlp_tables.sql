-- The raw OTLP topics (otlp_spans, otlp_logs; encoding otlp_proto) as tables with Flink's protobuf
-- format. Needs flink-protobuf and the OTLP message classes (both in the sql jar).
--
-- OTLP's AnyValue is recursive (AnyValue -> ArrayValue / KeyValueList -> AnyValue). Flink cannot derive
-- a row type from such a message (FLINK-34620: PbToRowTypeUtil recurses until StackOverflowError) and
-- a SQL type cannot be recursive, so these tables DECLARE their schema and stop at the first level:
-- attribute values and log bodies are read as their scalar variants only (string, bool, int, double);
-- array and key-value-list values are not reachable here. Ids are raw bytes (use the normalised topics
-- for hex ids, event times and the join). Fields left out of a declared row are simply not read.
-- An absent message field (a span without status) is a NULL row; enums read as their names.
-- Undecodable messages are skipped here (the job sends them to the DLQ with a reason).

CREATE TABLE otlp_spans (
  resource_spans ARRAY<ROW<
    resource ROW<attributes ARRAY<ROW<key STRING, `value` ROW<string_value STRING, bool_value BOOLEAN, int_value BIGINT, double_value DOUBLE>>>>,
    scope_spans ARRAY<ROW<
      `scope` ROW<name STRING, `version` STRING>,
      spans ARRAY<ROW<
        trace_id BYTES, span_id BYTES, parent_span_id BYTES, name STRING, kind STRING,
        start_time_unix_nano BIGINT, end_time_unix_nano BIGINT,
        attributes ARRAY<ROW<key STRING, `value` ROW<string_value STRING, bool_value BOOLEAN, int_value BIGINT, double_value DOUBLE>>>,
        `status` ROW<message STRING, code STRING>
      >>
    >>
  >>
) WITH (
  'connector' = 'kafka',
  'topic' = 'otlp_spans',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'correlation-station-sql',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'protobuf',
  'protobuf.message-class-name' = 'io.opentelemetry.proto.trace.v1.TracesData',
  'protobuf.ignore-parse-errors' = 'true'
);

CREATE TABLE otlp_logs (
  resource_logs ARRAY<ROW<
    resource ROW<attributes ARRAY<ROW<key STRING, `value` ROW<string_value STRING, bool_value BOOLEAN, int_value BIGINT, double_value DOUBLE>>>>,
    scope_logs ARRAY<ROW<
      `scope` ROW<name STRING, `version` STRING>,
      log_records ARRAY<ROW<
        time_unix_nano BIGINT, observed_time_unix_nano BIGINT, severity_number INT, severity_text STRING,
        body ROW<string_value STRING, bool_value BOOLEAN, int_value BIGINT, double_value DOUBLE>,
        attributes ARRAY<ROW<key STRING, `value` ROW<string_value STRING, bool_value BOOLEAN, int_value BIGINT, double_value DOUBLE>>>,
        trace_id BYTES, span_id BYTES
      >>
    >>
  >>
) WITH (
  'connector' = 'kafka',
  'topic' = 'otlp_logs',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'correlation-station-sql',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'protobuf',
  'protobuf.message-class-name' = 'io.opentelemetry.proto.logs.v1.LogsData',
  'protobuf.ignore-parse-errors' = 'true'
);
