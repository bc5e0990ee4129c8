package org.correlationstation.connectors.kafka;

import java.util.Properties;

/** Copying user-supplied Kafka client properties (SASL, TLS, … from {@code KAFKA_PROPERTIES_FILE}). */
final class ClientProperties {
    private ClientProperties() {}

    /** stringPropertyNames() includes a Properties' defaults, which putAll would miss. */
    static void addAll(Properties target, Properties extra) {
        for (String name : extra.stringPropertyNames()) target.setProperty(name, extra.getProperty(name));
    }
}
