package org.correlationstation.core.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON. It is protobuf's JSON mapping except that trace and span ids are hex strings, not base64
 * (OTLP spec, "JSON Protobuf Encoding"); so the ids are rewritten to base64 and protobuf's own parser
 * does the rest (camelCase or snake_case keys, enums by number or name, int64 as string or number).
 */
final class OtlpJson {
    // Trailing data after the object means the message is not what the producer meant to send.
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> ID_FIELDS =
            Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final HexFormat HEX = HexFormat.of();

    private OtlpJson() {}

    static <B extends Message.Builder> B parse(byte[] json, B builder) throws MalformedOtlpException {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new MalformedOtlpException(MalformedOtlpException.MALFORMED_JSON, "not JSON: " + firstLine(e));
        }
        if (tree == null || !tree.isObject()) {
            throw new MalformedOtlpException(MalformedOtlpException.MALFORMED_JSON, "expected a JSON object");
        }
        hexIdsToBase64(tree);
        try {
            PARSER.merge(MAPPER.writeValueAsString(tree), builder);
        } catch (InvalidProtocolBufferException | JsonProcessingException | RuntimeException e) {
            throw new MalformedOtlpException(MalformedOtlpException.MALFORMED_JSON,
                    "not OTLP/JSON: " + firstLine(e));
        }
        return builder;
    }

    private static void hexIdsToBase64(JsonNode node) throws MalformedOtlpException {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode value = field.getValue();
                if (ID_FIELDS.contains(field.getKey()) && value.isTextual()) {
                    field.setValue(object.textNode(base64(field.getKey(), value.asText())));
                } else {
                    hexIdsToBase64(value);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) hexIdsToBase64(element);
        }
    }

    private static String base64(String field, String hex) throws MalformedOtlpException {
        try {
            return Base64.getEncoder().encodeToString(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            String reason = field.toLowerCase(Locale.ROOT).startsWith("trace")
                    ? MalformedOtlpException.INVALID_TRACE_ID : MalformedOtlpException.INVALID_SPAN_ID;
            throw new MalformedOtlpException(reason, field + " is not a hex string: '" + abbreviate(hex) + "'");
        }
    }

    private static String abbreviate(String s) {
        return abbreviate(s, 40);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    /** A parser's message, short enough for a header: its first line, which says what was wrong. */
    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return abbreviate(nl < 0 ? m : m.substring(0, nl), 200);
    }
}
