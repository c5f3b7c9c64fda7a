package io.strata.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the samples of a comparison into a Markdown report and an SVG chart: per scenario, the
 * medians of each server and the median over rounds of the per-round ratio Strata/Redis (each
 * round runs both servers back to back, so a ratio compares runs made under the same machine
 * load).
 *
 * <p>Thread rule: one thread.
 */
final class Report {
    /** Per-scenario summary. */
    record Row(String scenario, double strataOps, double redisOps, double opsRatio, double strataP99, double redisP99,
               double p99Ratio, int rounds) {
    }

    private Report() {
    }

    static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        int n = a.length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
    }

    static List<Row> summarize(List<Sample> samples) {
        Map<String, List<Sample>> byScenario = new LinkedHashMap<>();
        for (Sample s : samples) {
            byScenario.computeIfAbsent(s.scenario(), k -> new ArrayList<>()).add(s);
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<Sample>> e : byScenario.entrySet()) {
            Map<Integer, Sample> strata = new LinkedHashMap<>();
            Map<Integer, Sample> redis = new LinkedHashMap<>();
            for (Sample s : e.getValue()) {
                (s.server().equals(Sample.STRATA) ? strata : redis).put(s.round(), s);
            }
            List<Double> so = new ArrayList<>(), ro = new ArrayList<>(), sp = new ArrayList<>(), rp = new ArrayList<>();
            List<Double> opsRatio = new ArrayList<>(), p99Ratio = new ArrayList<>();
            int rounds = 0;
            for (Map.Entry<Integer, Sample> se : strata.entrySet()) {
                Sample s = se.getValue();
                Sample r = redis.get(se.getKey());
                so.add(s.opsPerSec());
                sp.add(s.p99Ms());
                if (r == null) {
                    continue;
                }
                rounds++;
                ro.add(r.opsPerSec());
                rp.add(r.p99Ms());
                if (r.opsPerSec() > 0) {
                    opsRatio.add(s.opsPerSec() / r.opsPerSec());
                }
                if (s.hasTail() && r.p99Ms() > 0) {
                    p99Ratio.add(s.p99Ms() / r.p99Ms());
                }
            }
            rows.add(new Row(e.getKey(), median(so), median(ro), median(opsRatio), median(sp), median(rp),
                median(p99Ratio), rounds));
        }
        return rows;
    }

    static String fmt(double v, String pattern) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, pattern, v);
    }

    static void write(Path md, Path svg, String header, List<Sample> samples, List<String> notes) throws IOException {
        List<Row> rows = summarize(samples);
        StringBuilder b = new StringBuilder(header);
        b.append("\n## Ratios Strata / Redis (median of the per-round ratios)\n\n");
        b.append("Throughput ratio > 1 and p99 ratio < 1 favour Strata.\n\n");
        b.append("| scenario | rounds | Strata ops/s | Redis ops/s | **throughput ratio** | Strata p99 ms | Redis p99 ms | **p99 ratio** |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append("| ").append(r.scenario()).append(" | ").append(r.rounds())
                .append(" | ").append(fmt(r.strataOps(), "%,.0f")).append(" | ").append(fmt(r.redisOps(), "%,.0f"))
                .append(" | **").append(fmt(r.opsRatio(), "%.2f")).append("×** | ").append(fmt(r.strataP99(), "%.3f"))
                .append(" | ").append(fmt(r.redisP99(), "%.3f")).append(" | **").append(fmt(r.p99Ratio(), "%.2f"))
                .append("×** |\n");
        }
        b.append("\n![throughput and p99 per scenario](").append(svg.getFileName()).append(")\n");
        if (!notes.isEmpty()) {
            b.append("\n## Notes\n\n");
            for (String n : notes) {
                b.append("- ").append(n).append('\n');
            }
        }
        b.append("\n## Every run\n\n");
        b.append("| round | scenario | server | ops/s | p50 ms | p99 ms | p99.9 ms | max ms | errors |\n");
        b.append("|---:|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Sample s : samples) {
            b.append("| ").append(s.round()).append(" | ").append(s.scenario()).append(" | ").append(s.server())
                .append(" | ").append(fmt(s.opsPerSec(), "%,.0f")).append(" | ").append(fmt(s.p50Ms(), "%.3f"))
                .append(" | ").append(fmt(s.p99Ms(), "%.3f")).append(" | ").append(fmt(s.p999Ms(), "%.3f"))
                .append(" | ").append(fmt(s.maxMs(), "%.3f")).append(" | ").append(s.errors())
                .append(s.problem() == null ? "" : " (" + s.problem() + ")").append(" |\n");
        }
        Files.createDirectories(md.toAbsolutePath().getParent());
        Files.writeString(md, b.toString(), StandardCharsets.UTF_8);
        Files.writeString(svg, svg(rows), StandardCharsets.UTF_8);
    }

    private static final String STRATA_COLOR = "#2b6cb0";
    private static final String REDIS_COLOR = "#c53030";

    /** Two bar panels, throughput and p99, one group of two bars (Strata, Redis) per scenario. */
    static String svg(List<Row> rows) {
        int groupW = 90;
        int left = 70;
        int panelH = 220;
        int width = left + Math.max(1, rows.size()) * groupW + 20;
        int height = 2 * (panelH + 90) + 30;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
            .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(legend(left, 16));
        panel(s, rows, "Throughput (ops/s, median)", 40, left, groupW, panelH, true);
        panel(s, rows, "p99 latency (ms, median)", 40 + panelH + 90, left, groupW, panelH, false);
        s.append("</svg>\n");
        return s.toString();
    }

    private static String legend(int x, int y) {
        return "<rect x=\"" + x + "\" y=\"" + (y - 9) + "\" width=\"10\" height=\"10\" fill=\"" + STRATA_COLOR + "\"/>"
            + "<text x=\"" + (x + 14) + "\" y=\"" + y + "\">Strata</text>"
            + "<rect x=\"" + (x + 70) + "\" y=\"" + (y - 9) + "\" width=\"10\" height=\"10\" fill=\"" + REDIS_COLOR + "\"/>"
            + "<text x=\"" + (x + 84) + "\" y=\"" + y + "\">redis-server</text>\n";
    }

    private static void panel(StringBuilder s, List<Row> rows, String title, int top, int left, int groupW, int h,
                              boolean throughput) {
        double max = 0;
        for (Row r : rows) {
            double a = throughput ? r.strataOps() : r.strataP99();
            double b = throughput ? r.redisOps() : r.redisP99();
            max = Math.max(max, Math.max(Double.isNaN(a) ? 0 : a, Double.isNaN(b) ? 0 : b));
        }
        if (max <= 0) {
            max = 1;
        }
        int bottom = top + 20 + h;
        s.append("<text x=\"").append(left).append("\" y=\"").append(top + 10).append("\" font-weight=\"bold\">")
            .append(title).append("</text>\n");
        s.append("<line x1=\"").append(left).append("\" y1=\"").append(bottom).append("\" x2=\"")
            .append(left + rows.size() * groupW).append("\" y2=\"").append(bottom).append("\" stroke=\"black\"/>\n");
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            int y = bottom - (int) (h * t / 4.0);
            s.append("<line x1=\"").append(left - 4).append("\" y1=\"").append(y).append("\" x2=\"")
                .append(left + rows.size() * groupW).append("\" y2=\"").append(y).append("\" stroke=\"#ddd\"/>")
                .append("<text x=\"").append(left - 6).append("\" y=\"").append(y + 4).append("\" text-anchor=\"end\">")
                .append(throughput ? fmt(v, "%,.0f") : fmt(v, "%.2f")).append("</text>\n");
        }
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            int x = left + i * groupW + 10;
            bar(s, x, bottom, h, max, throughput ? r.strataOps() : r.strataP99(), STRATA_COLOR);
            bar(s, x + 34, bottom, h, max, throughput ? r.redisOps() : r.redisP99(), REDIS_COLOR);
            double ratio = throughput ? r.opsRatio() : r.p99Ratio();
            s.append("<text x=\"").append(x + 34).append("\" y=\"").append(bottom + 14).append("\" text-anchor=\"middle\">")
                .append(escape(r.scenario().length() > 16 ? r.scenario().substring(0, 16) : r.scenario())).append("</text>")
                .append("<text x=\"").append(x + 34).append("\" y=\"").append(bottom + 28).append("\" text-anchor=\"middle\">")
                .append(fmt(ratio, "%.2f×")).append("</text>\n");
        }
    }

    private static void bar(StringBuilder s, int x, int bottom, int h, double max, double v, String color) {
        if (Double.isNaN(v)) {
            return;
        }
        int bh = (int) Math.round(h * v / max);
        s.append("<rect x=\"").append(x).append("\" y=\"").append(bottom - bh).append("\" width=\"30\" height=\"")
            .append(bh).append("\" fill=\"").append(color).append("\"/>\n");
    }

    private static String escape(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
