package org.correlationstation.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A line chart as inline SVG (no scripts, no network): x in seconds, one polyline per series, a legend. */
final class SvgChart {
    record Series(String name, double[] x, double[] y) {}

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int W = 860;
    private static final int H = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 180;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private final String title;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    SvgChart(String title, String yLabel) {
        this.title = title;
        this.yLabel = yLabel;
    }

    SvgChart add(String name, double[] x, double[] y) {
        series.add(new Series(name, x, y));
        return this;
    }

    String render() {
        double maxX = 1;
        double maxY = 1;
        for (Series s : series) {
            for (double v : s.x) maxX = Math.max(maxX, v);
            for (double v : s.y) maxY = Math.max(maxY, v);
        }
        maxY = niceCeiling(maxY);
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='11'>", W, H));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='18' font-size='14' font-weight='bold'>%s</text>", LEFT, escape(title)));
        for (int i = 0; i <= 4; i++) {
            double v = maxY * i / 4;
            double y = TOP + plotH - plotH * i / 4.0;
            svg.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/>", LEFT, LEFT + plotW, y, y));
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' text-anchor='end'>%s</text>", LEFT - 5, y + 4, format(v)));
        }
        for (int i = 0; i <= 5; i++) {
            double v = maxX * i / 5;
            double x = LEFT + plotW * i / 5.0;
            svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>%s s</text>", x, TOP + plotH + 15, format(v)));
        }
        svg.append(String.format(Locale.ROOT, "<text x='12' y='%d' transform='rotate(-90 12 %d)' text-anchor='middle'>%s</text>",
                TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
        svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#888'/>", LEFT, TOP, plotW, plotH));
        for (int s = 0; s < series.size(); s++) {
            Series line = series.get(s);
            String colour = COLOURS[s % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < line.x.length; i++) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotW * line.x[i] / maxX, TOP + plotH - plotH * Math.min(line.y[i], maxY) / maxY));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill='none' stroke='%s' stroke-width='1.5' points='%s'/>", colour, points));
            int ly = TOP + 10 + 16 * s;
            svg.append(String.format(Locale.ROOT, "<line x1='%d' x2='%d' y1='%d' y2='%d' stroke='%s' stroke-width='3'/>", LEFT + plotW + 10, LEFT + plotW + 30, ly, ly, colour));
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d'>%s</text>", LEFT + plotW + 35, ly + 4, escape(line.name)));
        }
        return svg.append("</svg>").toString();
    }

    private static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) return step * magnitude;
        }
        return 10 * magnitude;
    }

    private static String format(double v) {
        if (v >= 1_000_000) return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        if (v >= 10_000) return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        if (v == Math.rint(v)) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
