package org.correlationstation.job.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads docs/metrics.md and sums values out of Prometheus text, for the metrics check. */
public final class DocumentedMetrics {
    private static final Pattern ROW_NAME = Pattern.compile("^\\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \\|");

    private DocumentedMetrics() {}

    /** The names in the "Job: ours" table. */
    static List<String> ours() throws Exception {
        return section("## Job: ours");
    }

    /** The names in the "Job: Loki and Tempo sinks" table. */
    static List<String> sinks() throws Exception {
        return section("## Job: Loki and Tempo sinks");
    }

    /** The names in the "Job: service graph" table (what the reporter exports for ServiceGraphMetrics). */
    static List<String> serviceGraph() throws Exception {
        return section("## Job: service graph");
    }

    /** Every name in a table row of docs/metrics.md (what dashboards and alert rules may use). */
    public static List<String> all() throws Exception {
        return section("## ");
    }

    private static List<String> section(String heading) throws Exception {
        List<String> names = new ArrayList<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(docs())) {
            if (line.startsWith("## ")) inSection = line.startsWith(heading);
            Matcher m = ROW_NAME.matcher(line);
            if (inSection && m.find()) names.add(m.group(1));
        }
        return names;
    }

    /** The sum over every series of {@code name} whose labels contain {@code labelFragment}. */
    static long sum(String prometheusText, String name, String labelFragment) {
        double total = 0;
        for (String line : prometheusText.split("\n")) {
            if (!line.startsWith(name + "{")) continue;
            int close = line.lastIndexOf('}');
            if (!line.substring(0, close).contains(labelFragment)) continue;
            total += Double.parseDouble(line.substring(close + 1).trim());
        }
        return Math.round(total);
    }

    private static Path docs() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/metrics.md"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("docs/metrics.md not found above " + Path.of("").toAbsolutePath());
        return dir.resolve("docs/metrics.md");
    }
}
