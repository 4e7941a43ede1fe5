package io.eitrelay.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.eitrelay.core.metrics.MeterNames;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code --metrics-listen}: Prometheus text exposition of the relay's meters at {@code /metrics}, on the
 * JDK's built-in HTTP server (one small thread; no second Netty pipeline for a scrape every few seconds).
 */
final class MetricsServer implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    MetricsServer(InetSocketAddress address) throws IOException {
        registry.config().meterFilter(MeterNames.descriptions()); // before any meter: HELP lines
        server = HttpServer.create(address, 16);
        server.createContext("/metrics", this::scrape);
        server.setExecutor(null);
        server.start();
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    private void scrape(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Closes {@code metrics} if there is one (a start that failed after creating it). */
    static void closeQuietly(MetricsServer metrics) {
        if (metrics != null) {
            metrics.close();
        }
    }
}
