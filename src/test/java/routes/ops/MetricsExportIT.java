package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.yaml.snakeyaml.Yaml;
import routes.pipeline.ErrorType;
import routes.pipeline.IngestExchange;
import routes.source.IngestSource;
import routes.support.Http;
import routes.support.PrometheusServer;
import routes.support.TestDatabase;

/**
 * The app's metrics as Prometheus sees them. First, before any traffic, every series of every enabled
 * source is there at 0. Then a real Prometheus (Debian's package; {@link PrometheusServer}) scrapes the
 * app while valid, duplicate and invalid events go through it, and every dashboard panel's query and
 * every alert's queries ({@link AlertOperands}: without the thresholds) must have a value: the real
 * PromQL engine, not a list of metric names. A stand-in broker source bean makes the per-source gauges
 * (queue depth, source up) and the broker path exist without a broker.
 */
@AutoConfigureObservability
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ingest.security.admin-password=metrics-it",
        // The delivery worker too (its alerts and dashboard row), delivering to a port where nothing listens.
        "ingest.delivery.enabled=true", "ingest.delivery.base-url=https://127.0.0.1:9",
        "ingest.delivery.queue=" + MetricsExportIT.DELIVERY_QUEUE,
        "ingest.delivery.delayed-set=" + MetricsExportIT.DELIVERY_QUEUE + ":delayed",
        "ingest.delivery.dlq=" + MetricsExportIT.DELIVERY_QUEUE + ":dlq",
        "ingest.delivery.retry-interval=1s", "ingest.delivery.request-timeout=2s"})
class MetricsExportIT {

    private static final String SOURCE = "metricsit";
    static final String DELIVERY_QUEUE = "it:metrics:delivery";
    private static final Path ALERTS = Path.of("deploy/prometheus/alerts.yml");
    private static final Path KUBERNETES_RULES = Path.of("deploy/kubernetes/base/prometheusrule.yaml");
    private static final Path DASHBOARDS = Path.of("deploy/grafana/dashboards");
    /** Grafana's variables as a dashboard user sees them: all sources, and a rate window of a few scrapes. */
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of("$__rate_interval", "15s", "$source", ".*");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_ops_metrics"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @TestConfiguration
    static class StandInSource {
        /** A broker source that always has 7 messages waiting and swallows what is published. */
        @Bean
        IngestSource metricsItSource() {
            return new IngestSource() {
                public String name() { return SOURCE; }
                public String queue() { return "metricsit.q"; }
                public long queueDepth() { return 7; }
                public void publish(byte[] body, Map<String, String> headers) { }
                public void publishDeadLetter(byte[] body, Map<String, String> headers) { }
            };
        }
    }

    @LocalServerPort int port;
    @Autowired ProducerTemplate producer;
    @Autowired StringRedisTemplate redis;

    /**
     * CONTRACT §5: every series of every enabled source exists from start-up at 0, so a rate or an alert
     * never reads "no data" before the first error. Runs first: no traffic has been sent yet.
     */
    @Test
    @Order(1)
    void everySeriesOfEveryEnabledSourceIsThereAtZeroBeforeAnyTraffic() {
        List<Sample> scrape = Sample.parse(new Http(port).get("/actuator/prometheus", null).body());
        List<String> missing = new ArrayList<>();
        for (String source : List.of("http", SOURCE)) {
            for (String status : List.of("success", "duplicate", "invalid", "dead", "filtered")) {
                expectZero(scrape, missing, "ingest_events_total", Map.of("source", source, "status", status));
            }
            for (ErrorType type : ErrorType.values()) {
                expectZero(scrape, missing, "ingest_errors_total", Map.of("source", source, "error_type", type.label()));
                expectZero(scrape, missing, "ingest_dead_letters_total", Map.of("source", source, "error_type", type.label()));
            }
            expectZero(scrape, missing, "ingest_rows_total", Map.of("source", source));
            expectZero(scrape, missing, "ingest_processing_duration_seconds_count", Map.of("source", source));
        }
        // A broker source: its queue (the stand-in always has 7 waiting) and its broker-to-receive wait.
        expectZero(scrape, missing, "ingest_queue_wait_seconds_count", Map.of("source", SOURCE));
        assertThat(Sample.find(scrape, "ingest_queue_depth", Map.of("source", SOURCE, "queue", "metricsit.q")))
                .as("ingest_queue_depth of the broker source").hasValueSatisfying(v -> assertThat(v.value()).isEqualTo(7));
        assertThat(missing).as("series missing or not 0 before any traffic").isEmpty();
    }

    private static void expectZero(List<Sample> scrape, List<String> missing, String name, Map<String, String> labels) {
        Optional<Sample> sample = Sample.find(scrape, name, labels);
        if (sample.isEmpty() || sample.get().value() != 0) {
            missing.add(name + labels + sample.map(s -> " = " + s.value()).orElse(""));
        }
    }

    /** One line of the Prometheus text format: {@code name{label="value",...} 1.0}. */
    record Sample(String name, Map<String, String> labels, double value) {

        private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        static List<Sample> parse(String scrape) {
            List<Sample> samples = new ArrayList<>();
            for (String line : scrape.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (line.startsWith("#") || !m.matches()) {
                    continue;
                }
                Map<String, String> labels = new TreeMap<>();
                Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
                samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
            }
            return samples;
        }

        static Optional<Sample> find(List<Sample> samples, String name, Map<String, String> labels) {
            return samples.stream().filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet()))
                    .findFirst();
        }
    }

    @Test
    @Order(2)
    void prometheusFindsAValueForEveryDashboardQueryAndAlertAfterSomeTraffic() throws Exception {
        Map<String, String> queries = new LinkedHashMap<>();
        dashboardQueries().forEach(queries::put);
        alertQueries(ALERTS, alertRules(ALERTS)).forEach(queries::put);
        alertQueries(KUBERNETES_RULES, kubernetesRules()).forEach(queries::put);
        assertThat(queries.keySet()).anyMatch(k -> k.startsWith("alerts.yml")).anyMatch(k -> k.contains(".json"));

        try (PrometheusServer prometheus = PrometheusServer.scraping(port, List.of(ALERTS))) {
            await("a first scrape").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> prometheus.query("up{job=\"ingest-routes\"} == 1").size() == 1);
            produceTraffic();
            await("every query has a value").atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        List<String> empty = new ArrayList<>();
                        for (var query : queries.entrySet()) {
                            if (prometheus.query(query.getValue()).isEmpty()) {
                                empty.add(query.getKey() + ": " + query.getValue());
                            }
                        }
                        assertThat(empty).as("queries without a value").isEmpty();
                        // The traffic itself was seen: events ended, and the invalid broker message was dead-lettered.
                        assertThat(value(prometheus, "sum(ingest_events_total{source=\"http\"})")).isGreaterThanOrEqualTo(6);
                        assertThat(value(prometheus, "sum(ingest_dead_letters_total{source=\"" + SOURCE
                                + "\",error_type=\"json\"})")).isEqualTo(1);
                        // The delivery worker's thread count under both names, and its failed attempt seen.
                        assertThat(value(prometheus, "sum(worker_active_workers)")).isPositive()
                                .isEqualTo(value(prometheus, "sum(ingest_workers{source=\"delivery\"})"));
                        assertThat(value(prometheus, "sum(worker_messages_failed_total)")).isGreaterThanOrEqualTo(1);
                    });
            // The real server loaded the rules and evaluates each one without an error.
            await("rules evaluated").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<String> unhealthy = new ArrayList<>();
                prometheus.rules().forEach(group -> group.path("rules").forEach(rule -> {
                    if (!"ok".equals(rule.path("health").asText())) {
                        unhealthy.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " "
                                + rule.path("lastError").asText());
                    }
                }));
                assertThat(unhealthy).isEmpty();
                assertThat(prometheus.rules().findValues("rules").stream().mapToInt(JsonNode::size).sum())
                        .isEqualTo(alertRules(ALERTS).size());
            });
        }
    }

    private static double value(PrometheusServer prometheus, String query) throws Exception {
        JsonNode result = prometheus.query(query);
        return result.isEmpty() ? Double.NaN : result.get(0).path("value").get(1).asDouble();
    }

    /** Valid events over HTTP (one of them twice), an invalid one (400), and two messages as a broker source sends them. */
    private void produceTraffic() {
        Http http = new Http(port);
        for (int i = 0; i < 5; i++) {
            assertThat(http.send("POST", "/v1/events", event("metrics-it-" + i, i), null).statusCode()).isEqualTo(202);
        }
        assertThat(http.send("POST", "/v1/events", event("metrics-it-0", 0), null).statusCode()).isEqualTo(202);
        assertThat(http.send("POST", "/v1/events", "{\"device_id\": 1}", null).statusCode()).isEqualTo(400);
        // One message for the delivery worker: its attempt fails (nothing listens) and is parked for a retry.
        redis.delete(List.of(DELIVERY_QUEUE + ":delayed", DELIVERY_QUEUE + ":dlq"));
        redis.opsForList().leftPush(DELIVERY_QUEUE, "{\"message_id\":\"metrics-it-d\",\"payload\":{}}");
        // As a broker source would: stamped with an enqueue time, and one invalid → a dead letter.
        for (String body : List.of("not json", event("metrics-it-b", 9))) {
            producer.send("direct:ingest", exchange -> {
                exchange.setProperty(IngestExchange.SOURCE, SOURCE);
                exchange.setProperty(IngestExchange.QUEUE, "metricsit.q");
                exchange.setProperty(IngestExchange.ENQUEUED_AT, System.currentTimeMillis() - 20);
                exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
            });
        }
    }

    private static String event(String id, int second) {
        return "{\"event_id\": \"" + id + "\", \"device_id\": \"5f0c8d2e-1b7a-4c3d-9e8f-0a1b2c3d4e5f\","
                + " \"source_timestamp\": \"2026-11-22T10:15:3" + second + "Z\", \"metrics\": [{\"parameter_key\": \"t\","
                + " \"value\": " + second + "}]}";
    }

    /** Each alert's queries without their thresholds, keyed "file alert #n". */
    private static Map<String, String> alertQueries(Path file, List<Map<String, Object>> rules) {
        Map<String, String> queries = new LinkedHashMap<>();
        for (Map<String, Object> rule : rules) {
            List<String> operands = AlertOperands.of(String.valueOf(rule.get("expr")));
            assertThat(operands).as(rule.get("alert") + " has a query").isNotEmpty();
            for (int i = 0; i < operands.size(); i++) {
                queries.put(file.getFileName() + " " + rule.get("alert") + " #" + (i + 1), operands.get(i));
            }
        }
        return queries;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alertRules(Path file) throws Exception {
        return rulesOf((List<Map<String, Object>>) yaml(file).get("groups"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> kubernetesRules() throws Exception {
        return rulesOf((List<Map<String, Object>>) ((Map<String, Object>) yaml(KUBERNETES_RULES).get("spec")).get("groups"));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rulesOf(List<Map<String, Object>> groups) {
        List<Map<String, Object>> rules = new ArrayList<>();
        groups.forEach(group -> rules.addAll((List<Map<String, Object>>) group.get("rules")));
        return rules;
    }

    private static Map<String, Object> yaml(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return new Yaml().load(in);
        }
    }

    /**
     * Every panel's {@code expr} with Grafana's variables filled in, keyed "file panel title #n"; the
     * {@code label_values(metric, label)} of a template variable as the query Grafana runs for it.
     */
    static Map<String, String> dashboardQueries() throws Exception {
        Map<String, String> queries = new TreeMap<>();
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
                for (JsonNode panel : dashboard.path("panels")) {
                    int n = 0;
                    for (JsonNode target : panel.path("targets")) {
                        if (target.path("expr").isTextual()) {
                            queries.put(file.getFileName() + " " + panel.path("title").asText() + " #" + ++n,
                                    withGrafanaVariables(target.path("expr").asText()));
                        }
                    }
                }
                for (JsonNode variable : dashboard.path("templating").path("list")) {
                    Matcher labelValues = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)")
                            .matcher(variable.path("definition").asText());
                    if (labelValues.matches()) {
                        queries.put(file.getFileName() + " variable " + variable.path("name").asText(),
                                "count by (" + labelValues.group(2) + ") (" + labelValues.group(1) + ")");
                    }
                }
            }
        }
        return queries;
    }

    private static String withGrafanaVariables(String expr) {
        for (var variable : GRAFANA_VARIABLES.entrySet()) {
            expr = expr.replace(variable.getKey(), variable.getValue());
        }
        assertThat(expr).as("a Grafana variable this test does not fill in").doesNotContain("$");
        return expr;
    }
}
