package org.correlationstation.ingest.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON as the Collector's kafka exporter writes it ({@code otlp_json}): protobuf's JSON mapping
 * with camelCase keys and enums as numbers, except that trace and span ids are hex strings, not base64
 * (OTLP spec, "JSON Protobuf Encoding"). {@code core.otlp.OtlpDecoder} reads it back.
 */
final class OtlpJsonEncoder {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().printingEnumsAsInts().omittingInsignificantWhitespace();
    private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");
    private static final HexFormat HEX = HexFormat.of();

    private OtlpJsonEncoder() {}

    static byte[] encode(Message message) {
        try {
            JsonNode tree = MAPPER.readTree(PRINTER.print(message));
            base64IdsToHex(tree);
            return MAPPER.writeValueAsBytes(tree);
        } catch (InvalidProtocolBufferException e) {
            // Only Any fields with unknown types fail to print; OTLP data has none.
            throw new IllegalArgumentException("cannot print OTLP/JSON: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void base64IdsToHex(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (ID_FIELDS.contains(field.getKey()) && field.getValue().isTextual()) {
                    byte[] id = Base64.getDecoder().decode(field.getValue().asText());
                    field.setValue(object.textNode(HEX.formatHex(id)));
                } else {
                    base64IdsToHex(field.getValue());
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) base64IdsToHex(element);
        }
    }
}
