package routes.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, which scripts/test-services.sh installs)
 * for one test: its own config, storage directory and free port, scraping the app on localhost every
 * second as job {@code ingest-routes}, with the given rule files loaded. Stopped by {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofSeconds(30);

    private final Process process;
    private final Path directory;
    private final String base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();

    private PrometheusServer(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Starts Prometheus scraping {@code /actuator/prometheus} on {@code appPort} and waits until it is ready. */
    public static PrometheusServer scraping(int appPort, List<Path> ruleFiles) throws IOException {
        Path directory = Files.createTempDirectory("it-prometheus-");
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: ingest-routes
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                rule_files:
                """.formatted(appPort));
        for (Path rules : ruleFiles) {
            config.append("  - '").append(rules.toAbsolutePath()).append("'\n");
        }
        Path configFile = Files.writeString(directory.resolve("prometheus.yml"), config.toString());
        int port = freePort();
        Process process = new ProcessBuilder(executable(), "--config.file=" + configFile,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(process, directory, port);
        try {
            Awaitility.await("Prometheus ready (log " + directory.resolve("prometheus.log") + ")")
                    .atMost(READY_WITHIN).pollInterval(Duration.ofMillis(200))
                    .until(() -> !process.isAlive() || server.ready());
            if (!process.isAlive()) {
                throw new IllegalStateException("Prometheus exited: " + Files.readString(directory.resolve("prometheus.log")));
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The {@code data.result} of an instant query (an empty array: no value), or an error naming the query. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException(promql + ": " + answer.path("error").asText(answer.toString()));
        }
        return answer.path("data").path("result");
    }

    /** {@code GET /api/v1/rules}: the loaded rule groups with each rule's health and last error. */
    public JsonNode rules() throws IOException, InterruptedException {
        return get("/api/v1/rules").path("data").path("groups");
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return mapper.readTree(response.body());
    }

    private boolean ready() {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    private static String executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, "prometheus");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("prometheus not found: install Debian's prometheus package "
                + "(apt-get install -y prometheus; scripts/test-services.sh does it)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
