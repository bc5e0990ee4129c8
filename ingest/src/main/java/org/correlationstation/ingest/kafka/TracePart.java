package org.correlationstation.ingest.kafka;

import com.google.protobuf.Message;

/**
 * One Kafka message of a request: the {@code TracesData} or {@code LogsData} of one trace (or, for
 * logs, of no trace), with the request's resource and scope structure kept.
 *
 * @param traceId 32 lowercase hex, the message key; null for logs without a trace id
 * @param data the message
 * @param items spans or log records in it
 */
public record TracePart(String traceId, Message data, int items) {}
