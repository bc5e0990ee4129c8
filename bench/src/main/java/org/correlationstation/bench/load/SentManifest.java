package org.correlationstation.bench.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The "what I sent" file: a header, then one tab-separated {@link SentTrace} per line. A checker reads
 * it back to verify every correlation record the run produced.
 */
public final class SentManifest implements LoadDriver.TraceListener, AutoCloseable {
    private final BufferedWriter out;

    public SentManifest(Path file) throws IOException {
        out = Files.newBufferedWriter(file);
        out.write(SentTrace.HEADER);
        out.newLine();
    }

    @Override
    public void sent(SentTrace trace, long intendedNanos) {
        try {
            out.write(trace.toTsv());
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<SentTrace> read(Path file) throws IOException {
        try (var lines = Files.lines(file)) {
            return lines.skip(1).map(SentTrace::parseTsv).toList();
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
