package org.correlationstation.job.route;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;
import org.correlationstation.connectors.kafka.DeadLetter;

/** The side output both routers put undecodable messages on. */
public final class DeadLetters {
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private DeadLetters() {}
}
