package org.correlationstation.core.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OTLP/JSON, read in one streaming pass straight into the protobuf builders. It is protobuf's JSON
 * mapping (camelCase or snake_case keys, enums by number or name, 64-bit integers as strings or numbers,
 * bytes as base64, null as the default, unknown keys ignored) except that trace and span ids are hex
 * strings, not base64 (OTLP spec, "JSON Protobuf Encoding"); the Collector's own reader (pdata's JSON
 * unmarshaler) is a streaming reader of this kind too.
 *
 * <p>Protobuf's {@code JsonFormat} parser does the same mapping on a tree: the ids had to be rewritten
 * to base64 in a Jackson tree first, which was printed and parsed again, and JSON cost the ingest
 * service 21 µs of CPU per event against 3 µs for protobuf (bench/README.md, "Session 17"). The mapping
 * is driven by the messages' descriptors, so every field of the OTLP protos is read, including fields a
 * newer opentelemetry-proto adds; {@code OtlpJsonTest} checks it against {@code JsonFormat}'s printer.
 */
final class OtlpJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final Set<String> ID_FIELDS = Set.of("trace_id", "span_id", "parent_span_id");
    private static final HexFormat HEX = HexFormat.of();
    private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** Per message type: its fields by JSON name and by proto name, as protobuf's JSON parser looks them up. */
    private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS = new ConcurrentHashMap<>();

    private OtlpJson() {}

    static <B extends Message.Builder> B parse(byte[] json, B builder) throws MalformedOtlpException {
        if (json == null) throw malformed("no message");
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw malformed("expected a JSON object");
            readObject(p, builder);
            // Trailing data after the object means the message is not what the producer meant to send.
            if (p.nextToken() != null) throw malformed("trailing data after the object");
        } catch (IOException e) {
            throw new MalformedOtlpException(MalformedOtlpException.MALFORMED_JSON, "not JSON: " + firstLine(e));
        } catch (RuntimeException e) {
            // The builders refuse what does not fit its field.
            throw malformed(firstLine(e));
        }
        return builder;
    }

    /** The fields of the object whose START_OBJECT was just read, up to and including its END_OBJECT. */
    private static void readObject(JsonParser p, Message.Builder builder) throws IOException, MalformedOtlpException {
        Map<String, FieldDescriptor> fields = FIELDS.computeIfAbsent(builder.getDescriptorForType(), OtlpJson::fieldsOf);
        for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
            FieldDescriptor field = fields.get(key);
            JsonToken token = p.nextToken();
            if (field == null) {
                p.skipChildren();
            } else if (token == JsonToken.VALUE_NULL) {
                if (!field.isRepeated()) builder.clearField(field);
            } else if (field.isRepeated()) {
                if (token != JsonToken.START_ARRAY) throw malformed(key + ": expected an array, found " + describe(p, token));
                while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                        Message.Builder element = builder.newBuilderForField(field);
                        readMessage(p, token, key, element);
                        builder.addRepeatedField(field, element.build());
                    } else {
                        Object value = scalar(p, token, key, field);
                        if (value != null) builder.addRepeatedField(field, value);
                    }
                }
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                readMessage(p, token, key, builder.getFieldBuilder(field));
            } else {
                Object value = scalar(p, token, key, field);
                if (value != null) builder.setField(field, value);
            }
        }
    }

    private static void readMessage(JsonParser p, JsonToken token, String key, Message.Builder builder)
            throws IOException, MalformedOtlpException {
        if (token != JsonToken.START_OBJECT) throw malformed(key + ": expected an object, found " + describe(p, token));
        readObject(p, builder);
    }

    /** The value of a scalar field; null for an enum name the proto does not know (skipped, as JsonFormat does). */
    private static Object scalar(JsonParser p, JsonToken token, String key, FieldDescriptor field)
            throws IOException, MalformedOtlpException {
        switch (field.getType()) {
            case STRING:
                if (token != JsonToken.VALUE_STRING) throw malformed(key + ": expected a string, found " + describe(p, token));
                return p.getText();
            case BOOL:
                if (token == JsonToken.VALUE_TRUE) return Boolean.TRUE;
                if (token == JsonToken.VALUE_FALSE) return Boolean.FALSE;
                if (token == JsonToken.VALUE_STRING && ("true".equals(p.getText()) || "false".equals(p.getText()))) {
                    return Boolean.valueOf(p.getText());
                }
                throw malformed(key + ": expected a boolean, found " + describe(p, token));
            case INT32: case SINT32: case SFIXED32:
                return (int) integer(p, token, key, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UINT32: case FIXED32:
                return (int) integer(p, token, key, 0, 0xFFFF_FFFFL);
            case INT64: case SINT64: case SFIXED64:
                return integer(p, token, key, Long.MIN_VALUE, Long.MAX_VALUE);
            case UINT64: case FIXED64:
                return unsigned64(p, token, key);
            case DOUBLE:
                return floating(p, token, key);
            case FLOAT:
                return (float) floating(p, token, key);
            case BYTES:
                if (token != JsonToken.VALUE_STRING) throw malformed(key + ": expected a string, found " + describe(p, token));
                return ID_FIELDS.contains(field.getName()) ? hexId(key, p.getText()) : base64(key, p.getText());
            case ENUM:
                return enumValue(p, token, key, field);
            default:
                throw malformed(key + ": unexpected field type " + field.getType());
        }
    }

    private static long integer(JsonParser p, JsonToken token, String key, long min, long max)
            throws IOException, MalformedOtlpException {
        long value;
        if (token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            value = p.getLongValue();
        } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT
                || token == JsonToken.VALUE_STRING) {
            value = exactLong(key, p.getText(), min, max);
        } else {
            throw malformed(key + ": expected an integer, found " + describe(p, token));
        }
        if (value < min || value > max) throw malformed(key + ": out of range: " + abbreviate(p.getText()));
        return value;
    }

    /** Protobuf's mapping also takes "1" and 1.0 for an integer; never a fraction. */
    private static long exactLong(String key, String text, long min, long max) throws MalformedOtlpException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException notPlain) {
            BigInteger value = exactInteger(key, text);
            if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
                throw malformed(key + ": out of range: " + abbreviate(text));
            }
            return value.longValue();
        }
    }

    /** An integer written in any JSON number form ("1e2", 100.0), never with a fraction. */
    private static BigInteger exactInteger(String key, String text) throws MalformedOtlpException {
        try {
            return new BigDecimal(text).toBigIntegerExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw malformed(key + ": not an integer: '" + abbreviate(text) + "'");
        }
    }

    /** An unsigned 64-bit value (the OTLP times): as a long with the same bits, as protobuf keeps it. */
    private static long unsigned64(JsonParser p, JsonToken token, String key) throws IOException, MalformedOtlpException {
        if (token == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            long value = p.getLongValue();
            if (value < 0) throw malformed(key + ": out of range: " + value);
            return value;
        }
        if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT && token != JsonToken.VALUE_STRING) {
            throw malformed(key + ": expected an integer, found " + describe(p, token));
        }
        String text = p.getText();
        BigInteger value = exactInteger(key, text);
        if (value.signum() < 0 || value.compareTo(MAX_UINT64) > 0) throw malformed(key + ": out of range: " + abbreviate(text));
        return value.longValue();
    }

    private static double floating(JsonParser p, JsonToken token, String key) throws IOException, MalformedOtlpException {
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) return p.getDoubleValue();
        if (token == JsonToken.VALUE_STRING) {
            String text = p.getText();
            switch (text) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        throw malformed(key + ": not a number: '" + abbreviate(text) + "'");
                    }
            }
        }
        throw malformed(key + ": expected a number, found " + describe(p, token));
    }

    private static EnumValueDescriptor enumValue(JsonParser p, JsonToken token, String key, FieldDescriptor field)
            throws IOException, MalformedOtlpException {
        if (token == JsonToken.VALUE_STRING) {
            EnumValueDescriptor byName = field.getEnumType().findValueByName(p.getText());
            if (byName != null) return byName;
            try {
                return field.getEnumType().findValueByNumberCreatingIfUnknown(Integer.parseInt(p.getText())); // "2"
            } catch (NumberFormatException unknownName) {
                return null;
            }
        }
        int number = (int) integer(p, token, key, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return field.getEnumType().findValueByNumberCreatingIfUnknown(number);
    }

    private static ByteString hexId(String key, String hex) throws MalformedOtlpException {
        try {
            return ByteString.copyFrom(HEX.parseHex(hex));
        } catch (IllegalArgumentException e) {
            String reason = key.toLowerCase(Locale.ROOT).startsWith("trace")
                    ? MalformedOtlpException.INVALID_TRACE_ID : MalformedOtlpException.INVALID_SPAN_ID;
            throw new MalformedOtlpException(reason, key + " is not a hex string: '" + abbreviate(hex) + "'");
        }
    }

    /** Standard or URL-safe alphabet, padded or not, as protobuf's mapping reads bytes. */
    private static ByteString base64(String key, String text) throws MalformedOtlpException {
        try {
            return ByteString.copyFrom(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException notStandard) {
            try {
                return ByteString.copyFrom(Base64.getUrlDecoder().decode(text));
            } catch (IllegalArgumentException e) {
                throw malformed(key + ": not base64: '" + abbreviate(text) + "'");
            }
        }
    }

    private static Map<String, FieldDescriptor> fieldsOf(Descriptor type) {
        Map<String, FieldDescriptor> byName = new HashMap<>();
        for (FieldDescriptor field : type.getFields()) {
            byName.put(field.getName(), field);
            byName.put(field.getJsonName(), field);
        }
        return Map.copyOf(byName);
    }

    private static String describe(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "'" + abbreviate(p.getText()) + "'";
            default -> abbreviate(p.getText());
        };
    }

    private static MalformedOtlpException malformed(String what) {
        return new MalformedOtlpException(MalformedOtlpException.MALFORMED_JSON, "not OTLP/JSON: " + what);
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
