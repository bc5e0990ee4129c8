package org.correlationstation.core.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;

/** Renders OTLP {@code AnyValue}s as text: strings as is, anything else as compact JSON (SPEC §7). */
public final class AnyValues {
    private static final JsonFactory JSON = new JsonFactory();

    private AnyValues() {}

    public static String asText(AnyValue value) {
        if (value == null || value.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET) return "";
        if (value.hasStringValue()) return value.getStringValue();
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(json, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The string value of the attribute named {@code key}, or null. */
    public static String attribute(List<KeyValue> attributes, String key) {
        for (KeyValue kv : attributes) {
            if (kv.getKey().equals(key)) {
                String text = asText(kv.getValue());
                return text.isEmpty() ? null : text;
            }
        }
        return null;
    }

    private static void write(JsonGenerator json, AnyValue value) throws IOException {
        switch (value.getValueCase()) {
            case STRING_VALUE: json.writeString(value.getStringValue()); break;
            case BOOL_VALUE: json.writeBoolean(value.getBoolValue()); break;
            case INT_VALUE: json.writeNumber(value.getIntValue()); break;
            case DOUBLE_VALUE:
                double d = value.getDoubleValue();
                if (Double.isFinite(d)) json.writeNumber(d); else json.writeString(Double.toString(d));
                break;
            case BYTES_VALUE: json.writeString(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray())); break;
            case ARRAY_VALUE:
                json.writeStartArray();
                for (AnyValue v : value.getArrayValue().getValuesList()) write(json, v);
                json.writeEndArray();
                break;
            case KVLIST_VALUE:
                json.writeStartObject();
                for (KeyValue kv : value.getKvlistValue().getValuesList()) {
                    json.writeFieldName(kv.getKey());
                    write(json, kv.getValue());
                }
                json.writeEndObject();
                break;
            default: json.writeNull();
        }
    }
}
