package org.correlationstation.local.store;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.core.graph.GraphCodec;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;

/**
 * The in-memory store's contents as a file under {@code DATA_DIR}, one SPEC §4 JSON record per line,
 * so that local mode restarts with its correlations still served; and its service graph beside it
 * ({@code graph.tsv}: bucket start, element and counts as Redis holds them, per line). Written whole
 * and renamed into place, so a crash mid-write leaves the previous snapshot.
 */
public final class StoreSnapshot {
    private final Path file;

    public StoreSnapshot(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public Path graphFile() {
        return file.resolveSibling("graph.tsv");
    }

    /** Writes the store's service graph; returns how many elements. */
    public int writeGraph(InMemoryCorrelationStore store) throws IOException {
        List<GraphUpdate> graph = store.graphSnapshot();
        Files.createDirectories(file.getParent());
        Path tmp = graphFile().resolveSibling(graphFile().getFileName() + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (GraphUpdate u : graph) {
                // JSON escapes tabs and newlines inside its strings: the separators are unambiguous
                out.write(u.bucketStartMillis() + "\t" + GraphCodec.field(u.key()) + "\t" + GraphCodec.value(u.counts()) + "\n");
            }
        }
        Files.move(tmp, graphFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return graph.size();
    }

    /**
     * Puts the snapshot's service graph into {@code store} (each bucket's TTL starts anew: the file does
     * not say when a bucket was last written); returns how many elements.
     */
    public int loadGraph(InMemoryCorrelationStore store) throws IOException {
        if (!Files.exists(graphFile())) return 0;
        int loaded = 0;
        for (String line : Files.readAllLines(graphFile(), StandardCharsets.UTF_8)) {
            String[] f = line.split("\t");
            if (f.length != 3) continue;
            store.putGraph(new GraphUpdate(Long.parseLong(f[0]), GraphCodec.key(f[1]), GraphCodec.counts(f[2])));
            loaded++;
        }
        return loaded;
    }

    /** Writes every record of {@code store}; returns how many. */
    public int write(InMemoryCorrelationStore store) throws IOException {
        List<byte[]> records = store.snapshotJson();
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
            for (byte[] record : records) {
                out.write(record);
                out.write('\n');
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return records.size();
    }

    /**
     * Puts the snapshot's records into {@code store}, skipping those whose TTL (counted from their
     * {@code updated_at}, as the store counts it from its write) has run out; returns how many were loaded.
     */
    public int load(InMemoryCorrelationStore store, Duration ttl, long nowMillis) throws IOException {
        if (!Files.exists(file)) return 0;
        int loaded = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) continue;
                CorrelationRecord record = RecordCodec.fromJson(line);
                if (RecordCodec.parseTime(record.updatedAt) + ttl.toMillis() <= nowMillis) continue;
                if (store.put(record) >= 0) loaded++;
            }
        }
        return loaded;
    }
}
