package io.varflow.pipeline.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/**
 * Where a local run can be watched: Flink's web dashboard (the MiniCluster's REST endpoint, with
 * the flink-runtime-web pages) and a Prometheus endpoint ({@link LoopbackPrometheusReporter}), both
 * on 127.0.0.1 at ports free when the run starts.
 */
public record LocalMonitoring(int dashboardPort, int metricsPort) {

    private static final String HOST = "127.0.0.1";
    private static final String REPORTER = "metrics.reporter.varflow_local.";

    /** Two ports that are free now. */
    public static LocalMonitoring onFreePorts() {
        return new LocalMonitoring(freePort(), freePort());
    }

    /** Adds the dashboard and reporter settings to a MiniCluster's configuration. */
    public Configuration applyTo(Configuration flink) {
        flink.set(RestOptions.BIND_ADDRESS, HOST);
        flink.set(RestOptions.ADDRESS, HOST);
        flink.set(RestOptions.BIND_PORT, Integer.toString(dashboardPort));
        flink.set(RestOptions.PORT, dashboardPort);
        flink.setString(
                REPORTER + "factory.class", LoopbackPrometheusReporter.Factory.class.getName());
        flink.setString(REPORTER + LoopbackPrometheusReporter.PORT, Integer.toString(metricsPort));
        return flink;
    }

    public String dashboardUrl() {
        return "http://" + HOST + ":" + dashboardPort + "/";
    }

    public String metricsUrl() {
        return "http://" + HOST + ":" + metricsPort + "/metrics";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }
}
