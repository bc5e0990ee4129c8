package org.correlationstation.connectors.redis;

/** Outcome of one acknowledged batch: records stored, and records the compare-and-set rejected. */
record BatchResult(int written, int rejected) {}
