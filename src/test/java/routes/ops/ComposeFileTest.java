package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml checked without a container engine: every service, image tag, healthcheck,
 * dependency, port, profile, mount and environment variable against application*.yml, the Prometheus
 * and Grafana files and the CONTRACT §2 names.
 */
class ComposeFileTest {

    static final Set<String> SERVICES = Set.of("postgres", "rabbitmq", "nats", "redis", "prometheus", "grafana", "app");
    static final Set<String> BROKERS_AND_DB = Set.of("postgres", "rabbitmq", "nats", "redis");
    /** CONTRACT §2: the seeds' environment variable names the app honours. */
    static final Set<String> CONTRACT_ENV = Set.of("RABBITMQ_HOST", "NATS_HOST", "NATS_PORT", "QUEUE_SUBJECT",
            "REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD", "DB_HOST", "DB_PORT", "POSTGRES_DB",
            "POSTGRES_USER", "POSTGRES_PASSWORD", "WORKER_CONCURRENCY", "WORKER_BATCH_SIZE", "WORKER_MAX_RETRIES");
    /** Which compose service and container port a host/port variable must name. */
    static final Map<String, String> HOST_OF = Map.of("DB_HOST", "postgres", "RABBITMQ_HOST", "rabbitmq",
            "NATS_HOST", "nats", "REDIS_HOST", "redis");
    static final Map<String, String> PORT_OF = Map.of("DB_PORT", "5432", "NATS_PORT", "4222", "REDIS_PORT", "6379");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    private static Map<String, Object> compose;
    private static Map<String, Map<String, Object>> services;
    private static Map<String, String> appEnv;
    private static Set<String> envReadByApp;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws Exception {
        compose = yaml(Path.of("docker-compose.yml"));
        services = (Map<String, Map<String, Object>>) compose.get("services");
        appEnv = new java.util.TreeMap<>();
        ((Map<String, Object>) services.get("app").get("environment")).forEach((k, v) -> appEnv.put(k, String.valueOf(v)));
        envReadByApp = new TreeSet<>();
        for (String file : List.of("application.yml", "application-brokers.yml")) {
            Matcher m = ENV_REF.matcher(Files.readString(Path.of("src/main/resources", file)));
            while (m.find()) {
                envReadByApp.add(m.group(1));
            }
        }
    }

    @Test
    void everyServiceIsThereWithAPinnedImageAndAHealthcheck() {
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
        services.forEach((name, service) -> {
            String image = String.valueOf(service.get("image"));
            assertThat(image).as(name + " image").matches("[\\w./-]+:[\\w.-]+").doesNotEndWith(":latest");
            assertThat(image.substring(image.indexOf(':') + 1)).as(name + " tag").containsPattern("\\d+\\.\\d+");
            assertThat(service).as(name + " healthcheck").containsKey("healthcheck");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAppWaitsForHealthyBrokersAndDatabaseAndIsBuiltFromTheDockerfile() throws Exception {
        Map<String, Object> app = services.get("app");
        Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) app.get("depends_on");
        assertThat(dependsOn.keySet()).containsExactlyInAnyOrderElementsOf(BROKERS_AND_DB);
        dependsOn.values().forEach(d -> assertThat(d).containsEntry("condition", "service_healthy"));
        assertThat(((Map<String, Map<String, String>>) services.get("grafana").get("depends_on")).get("prometheus"))
                .containsEntry("condition", "service_healthy");
        Map<String, String> build = (Map<String, String>) app.get("build");
        String dockerfile = Files.readString(Path.of(build.get("dockerfile")));
        assertThat(dockerfile).contains("target/ingest-routes-").containsPattern("FROM [\\w./-]+:\\d");
        assertThat(dockerfile).contains("EXPOSE " + appEnv.get("SERVER_PORT"));
    }

    @Test
    void theAppRunsTheBrokersProfileWithTheContractEnvironment() {
        assertThat(appEnv).containsEntry("SPRING_PROFILES_ACTIVE", "brokers");
        assertThat(Path.of("src/main/resources/application-brokers.yml")).exists();
        // Everything the app reads for a broker run is set, and points at a compose service.
        assertThat(appEnv.keySet()).containsAll(List.of("DB_HOST", "DB_PORT", "POSTGRES_DB", "POSTGRES_USER",
                "POSTGRES_PASSWORD", "RABBITMQ_HOST", "NATS_HOST", "NATS_PORT", "QUEUE_SUBJECT", "REDIS_HOST",
                "REDIS_PORT", "INGEST_ADMIN_PASSWORD"));
        HOST_OF.forEach((variable, service) -> {
            assertThat(appEnv).containsEntry(variable, service);
            assertThat(services).containsKey(service);
        });
        PORT_OF.forEach((variable, port) -> assertThat(appEnv).containsEntry(variable, port));
        assertThat(appEnv).containsEntry("QUEUE_SUBJECT", "ingress.events");
        // Every variable given to the app is one it reads: a CONTRACT name, a ${NAME} of application*.yml,
        // Spring's own relaxed binding (SPRING_*), or the JVM's JAVA_TOOL_OPTIONS.
        List<String> unknown = new ArrayList<>();
        appEnv.keySet().stream().filter(k -> !CONTRACT_ENV.contains(k) && !envReadByApp.contains(k)
                && !k.startsWith("SPRING_") && !k.equals("JAVA_TOOL_OPTIONS")).forEach(unknown::add);
        assertThat(unknown).as("app environment variables nobody reads").isEmpty();
        // The ones application.yml reads today must be spelled as the contract spells them.
        assertThat(envReadByApp).contains("DB_HOST", "DB_PORT", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD",
                "INGEST_ADMIN_PASSWORD", "INGEST_ROUTES_DIR", "INGEST_ROUTES_RELOAD", "SERVER_PORT");
    }

    /**
     * The image pre-touches its initial heap: the app's heap is sized whole (-Xms = -Xmx), and it plus the ~256 MiB
     * the JVM uses beside it fits under the container's memory limit. Without both, the image's 75 % of a host
     * without a limit would be committed at start.
     */
    @Test
    void theAppsHeapIsSizedWholeUnderItsMemoryLimit() {
        String options = appEnv.getOrDefault("JAVA_TOOL_OPTIONS", "");
        Matcher xms = Pattern.compile("-Xms(\\d+)m").matcher(options);
        Matcher xmx = Pattern.compile("-Xmx(\\d+)m").matcher(options);
        assertThat(xms.find() && xmx.find()).as("-Xms and -Xmx in MiB in JAVA_TOOL_OPTIONS: " + options).isTrue();
        assertThat(xms.group(1)).as("-Xms = -Xmx").isEqualTo(xmx.group(1));
        String limit = String.valueOf(services.get("app").get("mem_limit"));
        assertThat(limit).as("the app's mem_limit, in g").matches("\\d+g");
        long limitMebibytes = Long.parseLong(limit.substring(0, limit.length() - 1)) * 1024;
        assertThat(Long.parseLong(xmx.group(1)) + 256).isLessThanOrEqualTo(limitMebibytes);
    }

    @Test
    @SuppressWarnings("unchecked")
    void databaseCredentialsAndNamesAgreeBetweenPostgresAndTheApp() {
        Map<String, String> pg = (Map<String, String>) services.get("postgres").get("environment");
        assertThat(appEnv.get("POSTGRES_DB")).isEqualTo(pg.get("POSTGRES_DB")).isEqualTo("ingest");
        assertThat(appEnv.get("POSTGRES_USER")).isEqualTo(pg.get("POSTGRES_USER"));
        assertThat(appEnv.get("POSTGRES_PASSWORD")).isEqualTo(pg.get("POSTGRES_PASSWORD")).startsWith("${");
        assertThat(appEnv.get("INGEST_ADMIN_PASSWORD")).as("no default admin password").contains(":?");
        Map<String, String> rabbit = (Map<String, String>) services.get("rabbitmq").get("environment");
        assertThat(appEnv.get("SPRING_RABBITMQ_USERNAME")).isEqualTo(rabbit.get("RABBITMQ_DEFAULT_USER"));
        assertThat(appEnv.get("SPRING_RABBITMQ_PASSWORD")).isEqualTo(rabbit.get("RABBITMQ_DEFAULT_PASS"));
    }

    @Test
    void publishedPortsMatchTheConfiguration() throws Exception {
        assertThat(ports("app")).contains("8080:" + appEnv.get("SERVER_PORT"));
        assertThat(Files.readString(Path.of("src/main/resources/application.yml"))).contains("port: ${SERVER_PORT:8080}");
        assertThat(ports("postgres")).contains("5432:5432");
        assertThat(ports("rabbitmq")).contains("5672:5672", "15672:15672");
        assertThat(ports("nats")).contains("4222:4222");
        assertThat(ports("redis")).contains("6379:6379");
        assertThat(ports("prometheus")).contains("9090:9090");
        assertThat(ports("grafana")).contains("3000:3000");
        assertThat(String.valueOf(services.get("rabbitmq").get("image"))).contains("management");
        assertThat(String.valueOf(services.get("nats").get("command"))).contains("-js");
    }

    @Test
    @SuppressWarnings("unchecked")
    void configIsMountedReadOnlyFromFilesThatExist() {
        int mounts = 0;
        for (var entry : services.entrySet()) {
            for (Object volume : (List<Object>) entry.getValue().getOrDefault("volumes", List.of())) {
                String spec = String.valueOf(volume);
                if (spec.startsWith("./")) {
                    mounts++;
                    assertThat(spec).as(entry.getKey() + " " + spec).endsWith(":ro");
                    assertThat(Path.of(spec.substring(0, spec.indexOf(':')))).as(spec).exists();
                }
            }
        }
        assertThat(mounts).isGreaterThanOrEqualTo(5);
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesTheAppAndLoadsTheAlertsAndGrafanaUsesPrometheus() throws Exception {
        Map<String, Object> prometheus = yaml(Path.of("deploy/prometheus/prometheus.yml"));
        Map<String, Object> job = ((List<Map<String, Object>>) prometheus.get("scrape_configs")).get(0);
        assertThat(job).containsEntry("metrics_path", "/actuator/prometheus");
        List<String> targets = (List<String>) ((List<Map<String, Object>>) job.get("static_configs")).get(0).get("targets");
        assertThat(targets).containsExactly("app:" + appEnv.get("SERVER_PORT"));
        assertThat((List<String>) prometheus.get("rule_files")).containsExactly("/etc/prometheus/alerts.yml");
        assertThat(String.valueOf(services.get("prometheus").get("volumes")))
                .contains("./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
        assertThat(Files.readString(Path.of("src/main/resources/application.yml"))).containsPattern("include: .*prometheus");

        Map<String, Object> datasources = yaml(Path.of("deploy/grafana/provisioning/datasources/prometheus.yml"));
        Map<String, Object> ds = ((List<Map<String, Object>>) datasources.get("datasources")).get(0);
        assertThat(ds).containsEntry("url", "http://prometheus:9090").containsEntry("uid", "prometheus");
        Map<String, Object> providers = yaml(Path.of("deploy/grafana/provisioning/dashboards/dashboards.yml"));
        String dashboardPath = String.valueOf(((Map<String, Object>) ((List<Map<String, Object>>) providers
                .get("providers")).get(0).get("options")).get("path"));
        assertThat(String.valueOf(services.get("grafana").get("volumes")))
                .contains("./deploy/grafana/dashboards:" + dashboardPath + ":ro");
        assertThat(Files.readString(Path.of("deploy/grafana/dashboards/ingest-routes.json")))
                .contains("\"uid\": \"prometheus\"");
    }

    @SuppressWarnings("unchecked")
    private static List<String> ports(String service) {
        return ((List<Object>) services.get(service).get("ports")).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> yaml(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return new Yaml().load(in);
        }
    }
}
