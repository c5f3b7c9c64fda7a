package io.strata.bench.compare;

import java.util.List;
import java.util.Locale;

/**
 * An SVG line chart of values over time: panels stacked on one time axis, each with one line per
 * server (Strata blue, Redis red, as in {@link Report}'s bar chart). Used for the BGSAVE part of
 * {@code durability}: memory and writer latency while the snapshot runs.
 *
 * <p>Any thread: stateless.
 */
final class TimeChart {
    /** One line: (time in seconds, value) points in time order. */
    record Series(String name, String color, List<double[]> points) {
    }

    record Panel(String title, String format, List<Series> series) {
    }

    static final String STRATA_COLOR = "#2b6cb0";
    static final String REDIS_COLOR = "#c53030";

    private TimeChart() {
    }

    /** {@code marks}: vertical dashed lines at these times (e.g. the snapshot's start and end), may be empty. */
    static String svg(String title, String timeLabel, List<Panel> panels, double[] marks) {
        int left = 80;
        int plotW = 640;
        int panelH = 170;
        int gap = 70;
        int top = 50;
        int height = top + panels.size() * (panelH + gap) + 10;
        double t0 = Double.MAX_VALUE;
        double t1 = -Double.MAX_VALUE;
        for (Panel p : panels) {
            for (Series s : p.series()) {
                for (double[] pt : s.points()) {
                    t0 = Math.min(t0, pt[0]);
                    t1 = Math.max(t1, pt[0]);
                }
            }
        }
        if (t0 > t1) {
            t0 = 0;
            t1 = 1;
        }
        if (t1 == t0) {
            t1 = t0 + 1;
        }
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(left + plotW + 30).append("\" height=\"")
            .append(height).append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append("<text x=\"").append(left).append("\" y=\"18\" font-weight=\"bold\" font-size=\"13\">").append(escape(title)).append("</text>\n");
        int lx = left;
        for (Series s : panels.isEmpty() ? List.<Series>of() : panels.get(0).series()) {
            b.append("<rect x=\"").append(lx).append("\" y=\"27\" width=\"10\" height=\"10\" fill=\"").append(s.color()).append("\"/>")
                .append("<text x=\"").append(lx + 14).append("\" y=\"36\">").append(escape(s.name())).append("</text>\n");
            lx += 20 + 7 * s.name().length();
        }
        int y = top;
        for (Panel p : panels) {
            double max = 0;
            for (Series s : p.series()) {
                for (double[] pt : s.points()) {
                    max = Math.max(max, pt[1]);
                }
            }
            if (max <= 0) {
                max = 1;
            }
            int bottom = y + 20 + panelH;
            b.append("<text x=\"").append(left).append("\" y=\"").append(y + 12).append("\" font-weight=\"bold\">")
                .append(escape(p.title())).append("</text>\n");
            for (int t = 0; t <= 4; t++) {
                int gy = bottom - (int) (panelH * t / 4.0);
                b.append("<line x1=\"").append(left).append("\" y1=\"").append(gy).append("\" x2=\"").append(left + plotW)
                    .append("\" y2=\"").append(gy).append("\" stroke=\"").append(t == 0 ? "black" : "#ddd").append("\"/>")
                    .append("<text x=\"").append(left - 6).append("\" y=\"").append(gy + 4).append("\" text-anchor=\"end\">")
                    .append(String.format(Locale.ROOT, p.format(), max * t / 4)).append("</text>\n");
            }
            for (int t = 0; t <= 5; t++) {
                double tv = t0 + (t1 - t0) * t / 5;
                int gx = left + (int) (plotW * t / 5.0);
                b.append("<text x=\"").append(gx).append("\" y=\"").append(bottom + 14).append("\" text-anchor=\"middle\">")
                    .append(String.format(Locale.ROOT, "%.1f", tv)).append("</text>\n");
            }
            b.append("<text x=\"").append(left + plotW).append("\" y=\"").append(bottom + 28).append("\" text-anchor=\"end\">")
                .append(escape(timeLabel)).append("</text>\n");
            for (double m : marks) {
                if (m >= t0 && m <= t1) {
                    int mx = left + (int) Math.round(plotW * (m - t0) / (t1 - t0));
                    b.append("<line x1=\"").append(mx).append("\" y1=\"").append(y + 20).append("\" x2=\"").append(mx)
                        .append("\" y2=\"").append(bottom).append("\" stroke=\"#888\" stroke-dasharray=\"4,3\"/>\n");
                }
            }
            for (Series s : p.series()) {
                if (s.points().isEmpty()) {
                    continue;
                }
                b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(s.color()).append("\" points=\"");
                for (double[] pt : s.points()) {
                    double px = left + plotW * (pt[0] - t0) / (t1 - t0);
                    double py = bottom - panelH * Math.min(pt[1], max) / max;
                    b.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                }
                b.append("\"/>\n");
            }
            y = bottom + gap - 20;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
