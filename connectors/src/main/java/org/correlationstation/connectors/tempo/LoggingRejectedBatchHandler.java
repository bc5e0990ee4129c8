package org.correlationstation.connectors.tempo;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handler without a DLQ: a rejected batch is logged and dropped. */
final class LoggingRejectedBatchHandler implements RejectedBatchHandler {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LoggingRejectedBatchHandler.class);

    @Override
    public void rejected(List<byte[]> originals, String backendAnswer) {
        LOG.error("Tempo rejected a batch of {} messages, dropped (no dead-letter queue): {}", originals.size(),
                backendAnswer);
    }
}
