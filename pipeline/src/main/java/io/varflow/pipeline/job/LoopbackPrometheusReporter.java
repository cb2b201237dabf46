package io.varflow.pipeline.job;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Prometheus scrape endpoint ({@code GET /metrics}, text format 0.0.4) for the metrics of a local
 * run, on 127.0.0.1 only. Flink's own {@code PrometheusReporter} always listens on every interface,
 * which a laptop or a shared GPU box should not do for a demo; this one serves the same shape of
 * names ({@code flink_<logical scope>_<metric>}, variables as labels) from the loopback address.
 */
public final class LoopbackPrometheusReporter implements MetricReporter {

    /** Reporter property: the port to listen on. */
    public static final String PORT = "port";

    private static final String[] QUANTILES = {"0.5", "0.95", "0.99"};

    private final Map<String, Series> series = new ConcurrentHashMap<>();
    private final int port;
    private HttpServer server;

    /** Builds the reporter from Flink's {@code metrics.reporter.<name>.*} properties. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new LoopbackPrometheusReporter(
                    Integer.parseInt(properties.getProperty(PORT, "0")));
        }
    }

    // One registered metric: its Prometheus name, its label text and the metric itself.
    private record Series(String name, String labels, Metric metric) {}

    LoopbackPrometheusReporter(int port) {
        this.port = port;
    }

    @Override
    public void open(MetricConfig config) {
        try {
            server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on 127.0.0.1:" + port, e);
        }
        server.createContext(
                "/metrics",
                exchange -> {
                    byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders()
                            .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
        server.start();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        String scope =
                LogicalScopeProvider.castFrom(group)
                        .getLogicalScope(LoopbackPrometheusReporter::sanitize, '_');
        String name = sanitize("flink_" + scope + "_" + metricName);
        StringBuilder labels = new StringBuilder();
        new TreeMap<>(group.getAllVariables())
                .forEach(
                        (key, value) -> {
                            labels.append(labels.length() == 0 ? "" : ",")
                                    .append(sanitize(key.replace("<", "").replace(">", "")))
                                    .append("=\"")
                                    .append(escapeLabel(value))
                                    .append('"');
                        });
        series.put(key(metricName, group), new Series(name, labels.toString(), metric));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        series.remove(key(metricName, group));
    }

    private static String key(String metricName, MetricGroup group) {
        return group.getMetricIdentifier(metricName) + "|" + new TreeMap<>(group.getAllVariables());
    }

    /** All metrics in the text format, samples of one name together under one TYPE line. */
    String scrape() {
        Map<String, StringBuilder> byName = new TreeMap<>();
        for (Series s : series.values()) {
            Metric m = s.metric();
            if (m instanceof Counter c) {
                sample(byName, s.name(), "gauge", s.labels(), "", c::getCount);
            } else if (m instanceof Meter meter) {
                sample(byName, s.name(), "gauge", s.labels(), "", meter::getRate);
            } else if (m instanceof Gauge<?> g) {
                sample(byName, s.name(), "gauge", s.labels(), "", () -> numeric(g.getValue()));
            } else if (m instanceof Histogram h) {
                sample(byName, s.name() + "_count", "gauge", s.labels(), "", h::getCount);
                for (String q : QUANTILES) {
                    sample(
                            byName,
                            s.name(),
                            "gauge",
                            s.labels(),
                            "quantile=\"" + q + "\"",
                            () -> h.getStatistics().getQuantile(Double.parseDouble(q)));
                }
            }
        }
        StringBuilder out = new StringBuilder();
        byName.values().forEach(out::append);
        return out.toString();
    }

    private static void sample(
            Map<String, StringBuilder> byName,
            String name,
            String type,
            String labels,
            String extraLabel,
            DoubleSupplier value) {
        double v;
        try {
            v = value.getAsDouble();
        } catch (RuntimeException e) {
            return; // a gauge whose value is not a number, or not ready: left out of this scrape
        }
        if (Double.isNaN(v)) {
            return;
        }
        StringBuilder b =
                byName.computeIfAbsent(
                        name,
                        n ->
                                new StringBuilder("# TYPE ")
                                        .append(n)
                                        .append(' ')
                                        .append(type)
                                        .append('\n'));
        String all =
                labels.isEmpty()
                        ? extraLabel
                        : extraLabel.isEmpty() ? labels : labels + "," + extraLabel;
        b.append(name)
                .append(all.isEmpty() ? "" : "{" + all + "}")
                .append(' ')
                .append(String.format(Locale.ROOT, "%s", v))
                .append('\n');
    }

    private static double numeric(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new IllegalArgumentException("not a number");
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^a-zA-Z0-9_:]", "_");
    }

    private static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
