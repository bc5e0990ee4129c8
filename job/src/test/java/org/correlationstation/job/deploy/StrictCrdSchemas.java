package org.correlationstation.job.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * JSON schemas for custom resources, taken from their CRDs (`spec.versions[].schema.openAPIV3Schema`)
 * and made strict. Kubernetes prunes unknown fields silently, and the operator's schemas mostly lack
 * {@code additionalProperties: false}, so a misspelt or misplaced field would pass the API server and
 * simply be ignored. Here every object schema that lists {@code properties} (and does not say
 * {@code x-kubernetes-preserve-unknown-fields}) gets {@code additionalProperties: false}.
 */
final class StrictCrdSchemas {
    private final Map<String, JsonSchema> byApiVersionAndKind = new HashMap<>();

    /** The schemas of every CRD file in {@code crdDir}. */
    static StrictCrdSchemas load(Path crdDir) throws IOException {
        StrictCrdSchemas schemas = new StrictCrdSchemas();
        for (Path file : RepoFiles.files(crdDir, ".yml", ".yaml")) {
            for (JsonNode crd : RepoFiles.yamlDocuments(file)) {
                if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) continue;
                String group = crd.path("spec").path("group").asText();
                String kind = crd.path("spec").path("names").path("kind").asText();
                for (JsonNode version : crd.path("spec").path("versions")) {
                    ObjectNode schema = version.path("schema").path("openAPIV3Schema").deepCopy();
                    addImplicitTopLevelFields(schema);
                    makeStrict(schema);
                    schemas.byApiVersionAndKind.put(group + "/" + version.path("name").asText() + " " + kind,
                            factory(schema).getSchema(schema));
                }
            }
        }
        return schemas;
    }

    /** The schema for a resource's apiVersion and kind, or null when no CRD defines it. */
    JsonSchema forResource(JsonNode resource) {
        return byApiVersionAndKind.get(resource.path("apiVersion").asText() + " " + resource.path("kind").asText());
    }

    Set<String> known() {
        return new TreeSet<>(byApiVersionAndKind.keySet());
    }

    /** apiVersion, kind and metadata: every resource has them, the API server checks them, CRDs may omit them. */
    private static void addImplicitTopLevelFields(ObjectNode schema) {
        ObjectNode properties = schema.with("properties");
        if (!properties.has("apiVersion")) properties.putObject("apiVersion").put("type", "string");
        if (!properties.has("kind")) properties.putObject("kind").put("type", "string");
        if (!properties.has("metadata")) properties.putObject("metadata").put("type", "object");
    }

    static void makeStrict(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                    && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            object.path("properties").forEach(StrictCrdSchemas::makeStrict);
            for (String key : new String[] {"items", "additionalProperties"}) makeStrict(object.path(key));
            for (String key : new String[] {"allOf", "anyOf", "oneOf"}) object.path(key).forEach(StrictCrdSchemas::makeStrict);
        }
    }

    /** Draft 7, plus the OpenAPI/Kubernetes extension keywords the schema uses, as annotations. */
    private static JsonSchemaFactory factory(JsonNode schema) {
        Set<String> extensions = new TreeSet<>();
        collectExtensionKeywords(schema, extensions);
        String iri = "https://correlation-station/k8s-openapi-v3";
        JsonMetaSchema.Builder meta = JsonMetaSchema.builder(iri, JsonMetaSchema.getV7());
        extensions.forEach(k -> meta.keyword(new NonValidationKeyword(k)));
        return JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7))
                .metaSchema(meta.build())
                .defaultMetaSchemaIri(iri)
                .build();
    }

    private static void collectExtensionKeywords(JsonNode node, Set<String> out) {
        if (node.isObject()) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (name.startsWith("x-") || name.equals("nullable")) out.add(name);
            }
        }
        node.forEach(child -> collectExtensionKeywords(child, out));
    }
}
