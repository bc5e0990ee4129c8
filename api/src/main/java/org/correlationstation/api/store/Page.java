package org.correlationstation.api.store;

import java.util.List;
import org.correlationstation.core.record.CorrelationRecord;

/** One page of a listing; {@code next} is null on the last page. */
public record Page(List<CorrelationRecord> items, Cursor next) {}
