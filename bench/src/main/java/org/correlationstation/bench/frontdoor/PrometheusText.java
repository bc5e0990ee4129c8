package org.correlationstation.bench.frontdoor;

/** Reads Prometheus' text exposition format as Flink's reporter writes it. */
final class PrometheusText {
    private PrometheusText() {}

    /**
     * The sum of every sample of {@code metric} (all label sets: Flink reports a counter per subtask and
     * label value); 0 when there is none.
     */
    static double sum(String exposition, String metric) {
        double sum = 0;
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(metric)) continue;
            int end = metric.length();
            if (line.length() == end || (line.charAt(end) != '{' && line.charAt(end) != ' ')) continue; // a longer name
            String value = line.substring(line.lastIndexOf(' ') + 1);
            sum += Double.parseDouble(value);
        }
        return sum;
    }
}
