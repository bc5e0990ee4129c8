package org.correlationstation.local.store;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.correlationstation.api.store.InMemoryCorrelationStore;
import org.correlationstation.core.graph.GraphCodec;
import org.correlationstation.core.graph.GraphUpdate;
import org.correlationstation.core.record.CorrelationRecord;
import org.correlationstation.core.record.RecordCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory store's contents as files in a directory under {@code DATA_DIR}, one SPEC §4 JSON
 * record per line, so that local mode restarts with its correlations still served; and its service
 * graph beside them ({@code graph.tsv}: bucket start, element and counts as Redis holds them, per line).
 *
 * <p>The records are a base and a journal. A checkpoint appends the records the store took since the
 * previous one to the journal ({@link #changed}, {@link #flush}): writing the whole store at every
 * checkpoint cost time in proportion to the store, not to what changed (a third of local mode's store
 * writer at 12,000 records/s, and the more the fuller the store). Once the journal is as large as the base, the
 * whole store is written as the next generation's base ({@code correlations-<generation>.jsonl},
 * written aside and renamed into place) and the previous generation's files are deleted, so the files
 * stay within about twice the store. A load reads the newest base, then its journal, later lines
 * winning by the store's compare-and-set rule. A crash mid-append leaves a partial last line, which the
 * load skips and the next append cuts off; a crash mid-compaction leaves the previous generation whole.
 */
public final class StoreSnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(StoreSnapshot.class);
    private static final Pattern BASE = Pattern.compile("correlations-(\\d{1,18})\\.jsonl");
    /** 0.1.0's snapshot: the whole store in one file, read as a base without a journal. */
    static final String UNVERSIONED_BASE = "correlations.jsonl";
    /** A journal smaller than this never triggers a compaction, however small the base. */
    static final long MIN_JOURNAL_BYTES_TO_COMPACT = 1 << 20;

    private final Path dir;
    /**
     * The records the store took since the snapshot last added them, by correlation id, in the order of
     * their last write. Here rather than in the sink's writer: this object lives as long as the JVM and its
     * store, so the writer a failover creates still adds what the failed one put after the last checkpoint
     * (a replay may emit only less advanced versions of those, which the store rejects).
     */
    private final LinkedHashSet<String> changed = new LinkedHashSet<>();
    /** The generation the next append extends; -1 until a load or a write has said which. */
    private long generation = -1;
    private long baseBytes;
    /** The journal's bytes up to its last complete line: where the next append starts. */
    private long journalBytes;

    public StoreSnapshot(Path dir) {
        this.dir = dir;
    }

    public Path directory() {
        return dir;
    }

    public Path graphFile() {
        return dir.resolve("graph.tsv");
    }

    Path base(long gen) {
        return dir.resolve("correlations-" + gen + ".jsonl");
    }

    Path journal(long gen) {
        return dir.resolve("correlations-" + gen + ".journal.jsonl");
    }

    /** Writes the store's service graph; returns how many elements. */
    public int writeGraph(InMemoryCorrelationStore store) throws IOException {
        List<GraphUpdate> graph = store.graphSnapshot();
        Files.createDirectories(dir);
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

    /**
     * Writes every record of {@code store} as a new generation's base and deletes the older files;
     * returns how many records.
     */
    public synchronized int write(InMemoryCorrelationStore store) throws IOException {
        List<byte[]> records = store.snapshotJson();
        Files.createDirectories(dir);
        long next = Math.max(generation, newestBase().orElse(-1)) + 1;
        Path tmp = dir.resolve(base(next).getFileName() + ".tmp");
        long bytes = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
            for (byte[] record : records) {
                out.write(record);
                out.write('\n');
                bytes += record.length + 1;
            }
        }
        Files.move(tmp, base(next), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // From the rename on, a load reads this generation: the next append extends it, whatever happens below.
        generation = next;
        baseBytes = bytes;
        journalBytes = 0;
        for (Path old : files()) {
            String name = old.getFileName().toString();
            OptionalLong gen = baseGeneration(name);
            boolean olderBase = gen.isPresent() && gen.getAsLong() < next;
            boolean leftOver = name.startsWith("correlations") && name.endsWith(".tmp"); // a crash mid-write
            if (olderBase || name.endsWith(".journal.jsonl") || leftOver || name.equals(UNVERSIONED_BASE)) {
                try {
                    Files.deleteIfExists(old);
                } catch (IOException e) { // a load ignores it; the next compaction tries again
                    LOG.warn("could not delete {}, which the snapshot no longer needs: {}", old, e.toString());
                }
            }
        }
        return records.size();
    }

    /** The store took (or replaced) the record {@code correlationId}: the next {@link #flush} adds it. */
    public synchronized void changed(String correlationId) {
        changed.remove(correlationId); // to the end: the journal keeps the order of the writes
        changed.add(correlationId);
    }

    /**
     * Makes the records changed since the last flush part of the snapshot ({@link #append}); returns how
     * many records were written, 0 when none changed. A record evicted or expired since its change is
     * not written: its older line, if any, loads again (and expires or is evicted again by the same rules).
     */
    public synchronized int flush(InMemoryCorrelationStore store) throws IOException {
        if (changed.isEmpty()) return 0;
        int written = append(store.snapshotJson(changed), store);
        changed.clear();
        return written;
    }

    /**
     * Makes {@code records} (the stored JSON of the records written since the last call) part of the
     * snapshot: appended to the journal, or, when the journal would outgrow the base (or nothing says
     * where the journal ends yet), the whole {@code store} written as a new base. Returns how many
     * records were written. Callers use {@link #flush}, which knows what changed; tests call this directly.
     */
    synchronized int append(List<byte[]> records, InMemoryCorrelationStore store) throws IOException {
        long adding = 0;
        for (byte[] record : records) adding += record.length + 1;
        if (generation < 0 || journalBytes + adding > Math.max(baseBytes, MIN_JOURNAL_BYTES_TO_COMPACT)
                || !Files.isDirectory(dir)) {
            return write(store);
        }
        try (FileChannel channel = FileChannel.open(journal(generation),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (channel.size() < journalBytes) {
                // Shorter than what was appended (deleted, or cut by a power loss): a new base holds it all.
                channel.close();
                return write(store);
            }
            // Past the last complete line: a crash mid-append may have left part of one.
            channel.truncate(journalBytes);
            channel.position(journalBytes);
            try (OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024)) {
                for (byte[] record : records) {
                    out.write(record);
                    out.write('\n');
                }
            }
        }
        journalBytes += adding;
        return records.size();
    }

    /**
     * Puts the snapshot's records into {@code store}: the newest base, then its journal. Skips records
     * whose TTL (counted from their {@code updated_at}, as the store counts it from its write) has run out,
     * and a journal's partial last line; returns how many records the store holds then.
     */
    public synchronized int load(InMemoryCorrelationStore store, Duration ttl, long nowMillis) throws IOException {
        OptionalLong newest = newestBase();
        generation = -1; // none, or the unversioned file, which has no journal: the first append writes a base
        if (newest.isEmpty()) {
            Path unversioned = dir.resolve(UNVERSIONED_BASE);
            if (Files.exists(unversioned)) readLines(unversioned, true, store, ttl, nowMillis);
            return store.size();
        }
        generation = newest.getAsLong();
        baseBytes = readLines(base(generation), true, store, ttl, nowMillis);
        Path journal = journal(generation);
        journalBytes = Files.exists(journal) ? readLines(journal, false, store, ttl, nowMillis) : 0;
        return store.size();
    }

    /**
     * Puts the record of each line of {@code file} into {@code store} ({@link #put}); returns the bytes up
     * to the last complete line. A last line without its newline is a whole record in a base (renamed into
     * place whole; 0.1.0's file may end so) and is skipped in a journal (a crash while it was appended).
     */
    private static long readLines(Path file, boolean whole, InMemoryCorrelationStore store, Duration ttl,
            long nowMillis) throws IOException {
        long complete = 0;
        long offset = 0;
        ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
        byte[] chunk = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != '\n') continue;
                    line.write(chunk, from, i - from);
                    if (line.size() > 0) put(store, RecordCodec.fromJson(line.toByteArray()), ttl, nowMillis);
                    line.reset();
                    from = i + 1;
                    complete = offset + i + 1;
                }
                line.write(chunk, from, n - from);
                offset += n;
            }
        }
        if (line.size() > 0 && whole) {
            put(store, RecordCodec.fromJson(line.toByteArray()), ttl, nowMillis);
            complete = offset;
        } else if (line.size() > 0) {
            LOG.warn("{}: skipped a partial last line of {} bytes (the process stopped while appending it)",
                    file, line.size());
        }
        return complete;
    }

    private static void put(InMemoryCorrelationStore store, CorrelationRecord record, Duration ttl, long nowMillis) {
        if (RecordCodec.parseTime(record.updatedAt) + ttl.toMillis() > nowMillis) store.put(record);
    }

    private OptionalLong newestBase() throws IOException {
        return files().stream()
                .map(p -> baseGeneration(p.getFileName().toString()))
                .filter(OptionalLong::isPresent)
                .mapToLong(OptionalLong::getAsLong)
                .max();
    }

    /** The generation of a base's file name; empty for any other name. */
    static OptionalLong baseGeneration(String fileName) {
        Matcher m = BASE.matcher(fileName);
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    private List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }
}
