package org.correlationstation.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.core.graph.GraphCounts;
import org.correlationstation.core.graph.GraphKey;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.record.RecordCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docs/openapi.yaml documents exactly the routes and query parameters the server serves. */
class OpenApiContractTest {
    static final long GRAPH_BUCKET = 1_763_805_600_000L; // 2025-11-22T10:00:00Z
    static JsonNode spec;
    static ApiTestSupport api;

    @BeforeAll
    static void load() throws IOException {
        Path file = Path.of("..", "docs", "openapi.yaml");
        if (!Files.exists(file)) file = Path.of("docs", "openapi.yaml");
        spec = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        InMemoryCorrelationStore store = ApiTestSupport.memoryStore();
        GraphCounts counts = new GraphCounts();
        counts.add(12_000_000, true);
        store.putGraph(new GraphUpdate(GRAPH_BUCKET, GraphKey.node("checkout"), counts));
        store.putGraph(new GraphUpdate(GRAPH_BUCKET, GraphKey.edge("frontend", "checkout"), counts));
        api = ApiTestSupport.start(Map.of(), store);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void documentedOperationsAreExactlyTheRouteTable() {
        Set<String> documented = new TreeSet<>();
        spec.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(method -> {
            if (Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace").contains(method)) {
                documented.add(method.toUpperCase() + " " + p.getKey());
            }
        }));
        Set<String> served = new TreeSet<>();
        for (Route r : api.server.routes()) served.add(r.method() + " " + r.template());
        assertThat(documented).isEqualTo(served);
    }

    @Test
    void documentedQueryParametersAreExactlyTheAcceptedOnes() {
        for (Route route : api.server.routes()) {
            JsonNode op = operation(route);
            Set<String> documented = new TreeSet<>();
            for (JsonNode p : parameters(op)) {
                if (p.get("in").asText().equals("query")) documented.add(p.get("name").asText());
            }
            assertThat(documented).as(route.template()).isEqualTo(new TreeSet<>(route.queryParameters()));
        }
    }

    @Test
    void everyDocumentedParameterExampleIsAcceptedByTheServer() {
        int checked = 0;
        for (Route route : api.server.routes()) {
            JsonNode op = operation(route);
            String path = route.template();
            List<String> queries = new ArrayList<>();
            for (JsonNode p : parameters(op)) {
                assertThat(p.has("example")).as(route.template() + " " + p.get("name")).isTrue();
                String example = p.get("example").asText();
                if (p.get("in").asText().equals("path")) {
                    path = path.replace("{" + p.get("name").asText() + "}", example);
                } else {
                    queries.add(p.get("name").asText() + "=" + URLEncoder.encode(example, StandardCharsets.UTF_8));
                }
            }
            List<String> urls = new ArrayList<>();
            if (queries.isEmpty()) urls.add(path);
            for (String q : queries) urls.add(path + "?" + q); // one at a time: trace_id excludes the others
            for (String url : urls) {
                HttpResponse<String> r = api.get(url);
                assertThat(r.statusCode()).as(url + " → " + r.body()).isIn(200, 404);
                assertThat(responses(op)).as(url).contains(Integer.toString(r.statusCode()));
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(15);
    }

    @Test
    void recordSchemaListsEveryFieldTheCodecWrites() throws IOException {
        JsonNode schema = spec.at("/components/schemas/CorrelationRecord");
        JsonNode example = schema.get("example");
        Set<String> written = new TreeSet<>();
        ApiTestSupport.JSON.readTree(RecordCodec.toJson(RecordCodec.fromJson(example.toString())))
                .fieldNames().forEachRemaining(written::add);
        Set<String> properties = new TreeSet<>();
        schema.get("properties").fieldNames().forEachRemaining(properties::add);
        Set<String> required = new TreeSet<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        assertThat(properties).isEqualTo(written);
        assertThat(required).isEqualTo(written);
    }

    @Test
    void graphSchemasListEveryFieldTheAnswerHas() {
        JsonNode body = ApiTestSupport.json(api.get("/api/graph?since=" + GRAPH_BUCKET + "&until=" + (GRAPH_BUCKET + 60_000)));
        assertFields(body, "ServiceGraph");
        assertFields(body.at("/nodes/0"), "GraphNode");
        assertFields(body.at("/edges/0"), "GraphEdge");
        assertFields(body.at("/nodes/0/duration_ms"), "DurationPercentiles");
        assertFields(body.at("/edges/0/duration_ms"), "DurationPercentiles");
        // The schema's own example has the shape of an answer.
        JsonNode example = spec.at("/components/schemas/ServiceGraph/example");
        assertFields(example, "ServiceGraph");
        assertFields(example.at("/nodes/0"), "GraphNode");
        assertFields(example.at("/edges/0"), "GraphEdge");
    }

    /** The object's fields are exactly the schema's properties, all required. */
    private static void assertFields(JsonNode object, String schemaName) {
        JsonNode schema = spec.at("/components/schemas/" + schemaName);
        Set<String> fields = new TreeSet<>();
        object.fieldNames().forEachRemaining(fields::add);
        Set<String> properties = new TreeSet<>();
        schema.get("properties").fieldNames().forEachRemaining(properties::add);
        Set<String> required = new TreeSet<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        assertThat(fields).as(schemaName).isNotEmpty().isEqualTo(properties).isEqualTo(required);
    }

    private static JsonNode operation(Route route) {
        JsonNode op = spec.at("/paths").get(route.template()).get(route.method().toLowerCase());
        assertThat(op).as(route.method() + " " + route.template()).isNotNull();
        return op;
    }

    private static List<JsonNode> parameters(JsonNode op) {
        List<JsonNode> out = new ArrayList<>();
        if (op.has("parameters")) op.get("parameters").forEach(out::add);
        return out;
    }

    private static Set<String> responses(JsonNode op) {
        Set<String> out = new TreeSet<>();
        Iterator<String> it = op.get("responses").fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }
}
