package org.correlationstation.bench.load;

import com.google.protobuf.Message;

/** One Kafka message / OTLP request: a {@code TracesData} or {@code LogsData} holding {@code events} events. */
public record OtlpBatch(Signal signal, Message message, int events) {}
