package org.correlationstation.core.logtext;

/**
 * The ids a log's text named: a trace id (32 lowercase hex, not all zero) and, when the pattern that
 * found it captures one, a span id (16 lowercase hex, not all zero), else null.
 */
public record TextIds(String traceId, String spanId) {}
