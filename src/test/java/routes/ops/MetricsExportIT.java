package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.camel.ProducerTemplate;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.yaml.snakeyaml.Yaml;
import routes.pipeline.ErrorType;
import routes.pipeline.IngestExchange;
import routes.source.IngestSource;
import routes.support.Http;
import routes.support.TestDatabase;

/**
 * Starts the app, sends valid and invalid events, scrapes {@code /actuator/prometheus} and checks that
 * every metric named by an alert rule (deploy/prometheus/alerts.yml) and by a dashboard query
 * (deploy/grafana/dashboards/*.json) is really exported. A stand-in broker source bean makes the
 * per-source gauges (queue depth, source up) exist without a broker.
 */
@AutoConfigureObservability
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "ingest.security.admin-password=metrics-it"})
class MetricsExportIT {

    /** Written by Prometheus itself for every scrape target, never by an app. */
    private static final Set<String> FROM_PROMETHEUS = Set.of("up");
    private static final String SOURCE = "metricsit";

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
    void everyMetricInAlertsAndDashboardsIsExported() throws Exception {
        produceTraffic();
        String scrape = new Http(port).get("/actuator/prometheus", null).body();
        Set<String> exported = exportedNames(scrape);
        Files.writeString(Path.of("target", "ops-scrape.txt"), scrape);

        Map<String, Set<String>> used = new TreeMap<>();
        alertExpressions().forEach(e -> used.computeIfAbsent("alerts.yml", k -> new TreeSet<>()).addAll(PromQl.metricNames(e)));
        dashboardExpressions().forEach((file, exprs) -> exprs.forEach(
                e -> used.computeIfAbsent(file, k -> new TreeSet<>()).addAll(PromQl.metricNames(e))));

        assertThat(used).containsKey("alerts.yml");
        assertThat(used.keySet()).anyMatch(f -> f.endsWith(".json"));
        List<String> missing = new ArrayList<>();
        used.forEach((file, names) -> names.stream()
                .filter(n -> !exported.contains(n) && !FROM_PROMETHEUS.contains(n))
                .forEach(n -> missing.add(file + ": " + n)));
        assertThat(missing).as("metrics used but not exported (scrape saved in target/ops-scrape.txt)").isEmpty();
        assertThat(scrape).contains("ingest_queue_depth{").contains("source=\"" + SOURCE + "\"");
        assertThat(scrape).containsPattern("ingest_database_up\\{[^}]*} 1\\.0");
    }

    private void produceTraffic() {
        Http http = new Http(port);
        for (int i = 0; i < 5; i++) {
            String event = "{\"event_id\": \"metrics-it-" + i + "\", \"device_id\": \"5f0c8d2e-1b7a-4c3d-9e8f-0a1b2c3d4e5f\","
                    + " \"source_timestamp\": \"2026-11-22T10:15:3" + i + "Z\", \"metrics\": [{\"parameter_key\": \"t\","
                    + " \"value\": " + i + "}]}";
            assertThat(http.send("POST", "/v1/events", event, null).statusCode()).isEqualTo(202);
        }
        assertThat(http.send("POST", "/v1/events", "{\"device_id\": 1}", null).statusCode()).isEqualTo(400);
        // As a broker source would: stamped with an enqueue time, and one invalid → a dead letter.
        for (String body : List.of("not json", "{\"event_id\": \"metrics-it-b\", \"device_id\": "
                + "\"5f0c8d2e-1b7a-4c3d-9e8f-0a1b2c3d4e5f\", \"source_timestamp\": \"2026-11-22T11:00:00Z\","
                + " \"metrics\": [{\"parameter_key\": \"t\", \"value\": 9}]}")) {
            producer.send("direct:ingest", exchange -> {
                exchange.setProperty(IngestExchange.SOURCE, SOURCE);
                exchange.setProperty(IngestExchange.QUEUE, "metricsit.q");
                exchange.setProperty(IngestExchange.ENQUEUED_AT, System.currentTimeMillis() - 20);
                exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
            });
        }
    }

    /** Metric names in the Prometheus text format: the part before '{' or ' ' of each sample line. */
    static Set<String> exportedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = line.length();
            for (char c : new char[] {'{', ' '}) {
                int i = line.indexOf(c);
                if (i >= 0 && i < end) {
                    end = i;
                }
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    static List<String> alertExpressions() throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("deploy/prometheus/alerts.yml"))) {
            Map<String, Object> root = new Yaml().load(in);
            List<String> expressions = new ArrayList<>();
            for (Map<String, Object> group : (List<Map<String, Object>>) root.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    expressions.add(String.valueOf(rule.get("expr")));
                }
            }
            return expressions;
        }
    }

    static Map<String, List<String>> dashboardExpressions() throws Exception {
        Map<String, List<String>> byFile = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of("deploy/grafana/dashboards"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                List<String> expressions = new ArrayList<>();
                collect(new ObjectMapper().readTree(file.toFile()), expressions);
                byFile.put(file.getFileName().toString(), expressions);
            }
        }
        return byFile;
    }

    private static void collect(JsonNode node, List<String> expressions) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("expr") && e.getValue().isTextual()) {
                    expressions.add(e.getValue().asText());
                } else {
                    collect(e.getValue(), expressions);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, expressions));
        }
    }
}
