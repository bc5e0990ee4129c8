package org.correlationstation.ingest.export;

/**
 * The outcome of one export request that Kafka stored: what OTLP's {@code partial_success} reports.
 *
 * @param accepted spans or log records stored
 * @param rejected spans or log records refused (0: full success)
 * @param errorMessage why some were refused; empty when none were
 */
public record ExportResult(int accepted, int rejected, String errorMessage) {}
