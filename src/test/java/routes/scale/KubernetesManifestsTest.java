package routes.scale;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import io.micrometer.core.instrument.Gauge;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import org.yaml.snakeyaml.Yaml;
import routes.ops.IngestMetrics;

/**
 * deploy/kubernetes (Kustomize base + overlays) against the application, without a cluster: every
 * YAML document parses; the overlays are rendered by applying their strategic-merge patches the way
 * kustomize does for the fields they use; ports, probe paths, environment variable names, Secret keys,
 * metric names, the grace period and the broker names match application.yml, the code and CONTRACT.md.
 */
class KubernetesManifestsTest {

    static final Path ROOT = Path.of("deploy", "kubernetes");
    static final Path BASE = ROOT.resolve("base");

    /** CONTRACT §2: the environment variable names of the seeds. */
    static final Set<String> CONTRACT_ENV = Set.of("RABBITMQ_HOST", "NATS_HOST", "NATS_PORT", "QUEUE_SUBJECT",
            "REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD", "DB_HOST", "DB_PORT", "POSTGRES_DB",
            "POSTGRES_USER", "POSTGRES_PASSWORD", "WORKER_CONCURRENCY", "WORKER_BATCH_SIZE", "WORKER_MAX_RETRIES");
    /** Read by Spring Boot or the JVM themselves. */
    static final Set<String> PLATFORM_ENV = Set.of("SPRING_PROFILES_ACTIVE", "SPRING_CONFIG_ADDITIONAL_LOCATION",
            "JAVA_TOOL_OPTIONS");
    /**
     * Read by a branch not merged yet: RABBITMQ_PASSWORD (branch rabbitmq, a placeholder in its
     * application.yml). Once merged, the placeholder check covers it: the lead can empty this set.
     */
    static final Set<String> PENDING_MERGE_ENV = Set.of();

    /** CONTRACT §2 names. */
    static final String RABBITMQ_QUEUE = "analytics.raw.q";
    static final String NATS_STREAM = "INGRESS";
    static final String NATS_CONSUMER = "ingest_workers";
    static final String REDIS_LIST = "message_queue";

    @Test
    void everyYamlDocumentParsesAndEveryResourceIsNamed() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(ROOT)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(10);
        for (Path file : files) {
            List<Object> docs = new ArrayList<>();
            try (InputStream in = Files.newInputStream(file)) {
                new Yaml().loadAll(in).forEach(docs::add);
            }
            assertThat(docs).as(file + " has a document").isNotEmpty();
            for (Object parsed : docs) {
                if (!(parsed instanceof Map)) {
                    assertThat(file.toString()).as("only route files are YAML lists").endsWith(".camel.yaml");
                    continue;
                }
                Map<String, Object> doc = asMap(parsed);
                if (doc.containsKey("kind") && !file.getFileName().toString().equals("kustomization.yaml")) {
                    assertThat(doc).as(file.toString()).containsKeys("apiVersion", "metadata");
                    assertThat(str(doc, "metadata.name")).as(file + " metadata.name").isNotBlank();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void renderedManifestsMatchTheApplication(String dir) throws IOException {
        Map<String, Map<String, Object>> resources = render(ROOT.resolve(dir));
        Map<String, Object> app = applicationYaml();
        Map<String, Object> deployment = one(resources, "Deployment");
        Map<String, Object> pod = map(deployment, "spec.template.spec");
        List<Map<String, Object>> containers = list(pod, "containers");
        assertThat(containers).as("one container, not one added by a patch").hasSize(1);
        Map<String, Object> container = containers.get(0);

        // Port: the container port is server.port's default, and the Service and ServiceMonitor use it by name.
        int serverPort = Integer.parseInt(placeholderDefault(str(app, "server.port")));
        Map<String, Object> port = list(container, "ports").get(0);
        assertThat(port.get("containerPort")).isEqualTo(serverPort).isEqualTo(8080);
        Map<String, Object> service = one(resources, "Service");
        assertThat(list(service, "spec.ports").get(0).get("targetPort")).isEqualTo(port.get("name"));
        Map<String, Object> monitor = one(resources, "ServiceMonitor");
        Map<String, Object> endpoint = list(monitor, "spec.endpoints").get(0);
        assertThat(endpoint.get("port")).isEqualTo(list(service, "spec.ports").get(0).get("name"));
        assertThat(map(service, "spec.selector")).isEqualTo(map(deployment, "spec.selector.matchLabels"));
        assertThat(map(monitor, "spec.selector.matchLabels")).isEqualTo(map(service, "metadata.labels"));
        assertThat(map(one(resources, "PodDisruptionBudget"), "spec.selector.matchLabels"))
                .isEqualTo(map(deployment, "spec.selector.matchLabels"));

        // Probe and scrape paths: actuator endpoints application.yml exposes.
        List<String> exposed = List.of(str(app, "management.endpoints.web.exposure.include").split(","));
        assertThat(exposed).contains("health", "prometheus");
        assertThat(app.get("management.endpoint.health.probes.enabled")).isEqualTo(true);
        assertThat(str(app, "management.endpoint.health.group.readiness.include")).contains("db");
        Set<String> healthGroups = new HashSet<>(Set.of("liveness", "readiness"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            String path = str(container, probe + ".httpGet.path");
            assertThat(path).as(probe).startsWith("/actuator/health/");
            assertThat(healthGroups).as(probe + " group").contains(path.substring("/actuator/health/".length()));
            assertThat(str(container, probe + ".httpGet.port")).isEqualTo(port.get("name"));
        }
        assertThat(str(container, "livenessProbe.httpGet.path")).endsWith("/liveness");
        assertThat(str(container, "readinessProbe.httpGet.path")).endsWith("/readiness");
        assertThat(endpoint.get("path")).isEqualTo("/actuator/prometheus");

        // Environment: every name is one the application reads.
        Map<String, Object> env = new LinkedHashMap<>();
        for (Map<String, Object> e : list(container, "env")) {
            env.put((String) e.get("name"), e.containsKey("value") ? e.get("value") : e.get("valueFrom"));
        }
        Set<String> readable = readableEnvironment();
        assertThat(env.keySet()).as("env names the app reads").allMatch(readable::contains);
        assertThat(env).containsKeys("POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "REDIS_PASSWORD", "INGEST_ADMIN_PASSWORD");
        assertThat(resource("application-" + env.get("SPRING_PROFILES_ACTIVE") + ".yml")).as("profile file").isTrue();

        // Secrets: referenced, never inline, and only keys the example Secret documents.
        Set<String> secretKeys = map(documents(ROOT.resolve("secret.example.yaml")).get(0), "stringData").keySet();
        for (String name : List.of("POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "REDIS_PASSWORD", "INGEST_ADMIN_PASSWORD")) {
            assertThat(env.get(name)).as(name + " from a Secret").isInstanceOf(Map.class);
            assertThat(str(asMap(env.get(name)), "secretKeyRef.name")).isEqualTo("ingest-routes-secrets");
            assertThat(secretKeys).contains(str(asMap(env.get(name)), "secretKeyRef.key"));
        }

        // Mounted configuration: generated ConfigMaps, at the paths the env points to.
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Map<String, Object> m : list(container, "volumeMounts")) {
            mounts.put((String) m.get("name"), (String) m.get("mountPath"));
        }
        Set<String> generated = generatedConfigMaps(BASE);
        for (Map<String, Object> volume : list(pod, "volumes")) {
            assertThat(generated).contains(str(volume, "configMap.name"));
        }
        assertThat(env.get("INGEST_ROUTES_DIRECTORY")).isEqualTo(mounts.get("routes"));
        assertThat((String) env.get("SPRING_CONFIG_ADDITIONAL_LOCATION")).isEqualTo("optional:file:" + mounts.get("config") + "/");

        // Grace period: preStop pause + web server phase + Camel's wait (each up to the shutdown timeout).
        Duration shutdown = DurationStyle.detectAndParse(env.containsKey("INGEST_SHUTDOWN_TIMEOUT")
                ? (String) env.get("INGEST_SHUTDOWN_TIMEOUT") : placeholderDefault(str(app, "ingest.shutdown.timeout")));
        Duration overridden = DurationStyle.detectAndParse(str(flatten(documents(BASE.resolve("config/application.yml")).get(0)),
                "ingest.shutdown.timeout"));
        assertThat(overridden).as("ConfigMap and env agree").isEqualTo(shutdown);
        String preStop = String.join(" ", this.<String>typedList(container, "lifecycle.preStop.exec.command"));
        Matcher sleep = Pattern.compile("sleep (\\d+)").matcher(preStop);
        long pause = sleep.find() ? Long.parseLong(sleep.group(1)) : 0;
        assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue())
                .as("terminationGracePeriodSeconds").isGreaterThan(pause + 2 * shutdown.toSeconds());

        // KEDA: one ScaledObject on this Deployment, the three CONTRACT §2 backlogs, existing TriggerAuthentications.
        Map<String, Object> scaled = one(resources, "ScaledObject");
        assertThat(str(scaled, "spec.scaleTargetRef.name")).isEqualTo(str(deployment, "metadata.name"));
        int min = ((Number) map(scaled, "spec").get("minReplicaCount")).intValue();
        int max = ((Number) map(scaled, "spec").get("maxReplicaCount")).intValue();
        assertThat(min).isBetween(1, max);
        Map<String, Map<String, Object>> triggers = new LinkedHashMap<>();
        for (Map<String, Object> t : list(scaled, "spec.triggers")) {
            triggers.put((String) t.get("type"), t);
        }
        assertThat(triggers).containsOnlyKeys("rabbitmq", "nats-jetstream", "redis");
        assertThat(str(triggers.get("rabbitmq"), "metadata.queueName")).isEqualTo(RABBITMQ_QUEUE);
        assertThat(str(triggers.get("rabbitmq"), "metadata.mode")).isEqualTo("QueueLength");
        assertThat(str(triggers.get("nats-jetstream"), "metadata.stream")).isEqualTo(NATS_STREAM);
        assertThat(str(triggers.get("nats-jetstream"), "metadata.consumer")).isEqualTo(NATS_CONSUMER);
        assertThat(str(triggers.get("redis"), "metadata.listName")).isEqualTo(REDIS_LIST);
        Set<String> authentications = names(resources, "TriggerAuthentication");
        for (Map<String, Object> t : triggers.values()) {
            if (t.containsKey("authenticationRef")) {
                assertThat(authentications).contains(str(t, "authenticationRef.name"));
            }
        }
        for (String auth : authentications) {
            for (Map<String, Object> ref : list(resources.get("TriggerAuthentication/" + auth), "spec.secretTargetRef")) {
                assertThat(secretKeys).contains((String) ref.get("key"));
            }
        }

        // Metric names in alert rules: names the application exports.
        Set<String> exported = exportedMetricNames();
        String rules = new Yaml().dump(one(resources, "PrometheusRule"));
        Matcher metric = Pattern.compile("\\bingest_[a-z_]+").matcher(rules);
        int found = 0;
        while (metric.find()) {
            found++;
            assertThat(exported).as("exported metric").contains(metric.group());
        }
        assertThat(found).isPositive();
    }

    /**
     * What the JVM holds beside its heap, with room to spare: the deployed benchmark's peak RSS was 746–767 MB
     * with a 512 MB heap committed whole (metaspace, code, threads, direct buffers, the AOT cache's mapped pages).
     */
    static final long BESIDE_THE_HEAP_MIB = 256;

    /**
     * The heap the JVM takes under each overlay, plus what it uses beside it, fits under the container's memory
     * limit: a heap of 75 % of 768 MiB (the dev overlay, sized by the image's percentage) left 192 MiB for the
     * rest, and the container would have been killed once the heap filled up.
     */
    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void theHeapAndWhatTheJvmUsesBesideItFitUnderTheMemoryLimit(String dir) throws IOException {
        Map<String, Object> container = list(map(one(render(ROOT.resolve(dir)), "Deployment"), "spec.template.spec"),
                "containers").get(0);
        long limit = mebibytes(str(container, "resources.limits.memory"));
        String options = list(container, "env").stream().filter(e -> "JAVA_TOOL_OPTIONS".equals(e.get("name")))
                .map(e -> (String) e.get("value")).findFirst().orElse("");

        long heap = heapMebibytes(options, limit);
        // The image pre-touches its initial heap: sized whole, the heap is committed at start and never grows.
        Matcher xms = Pattern.compile("-Xms(\\S+)").matcher(options);
        Matcher xmx = Pattern.compile("-Xmx(\\S+)").matcher(options);
        assertThat(xms.find() && xmx.find()).as(dir + ": -Xms and -Xmx in JAVA_TOOL_OPTIONS").isTrue();
        assertThat(xms.group(1)).as(dir + ": -Xms = -Xmx").isEqualTo(xmx.group(1));

        assertThat(heap + BESIDE_THE_HEAP_MIB).as(dir + ": heap " + heap + " MiB + " + BESIDE_THE_HEAP_MIB
                + " MiB beside it, limit " + limit + " MiB").isLessThanOrEqualTo(limit);
    }

    /**
     * The maximum heap: -Xmx from JAVA_TOOL_OPTIONS when set (an explicit size beats any percentage), else the
     * Dockerfile's -XX:MaxRAMPercentage (its command line beats the environment's) of the limit.
     */
    static long heapMebibytes(String javaToolOptions, long limitMebibytes) throws IOException {
        Matcher xmx = Pattern.compile("-Xmx(\\d+)([mMgG])").matcher(javaToolOptions);
        if (xmx.find()) {
            long size = Long.parseLong(xmx.group(1));
            return xmx.group(2).equalsIgnoreCase("g") ? size * 1024 : size;
        }
        String percentage = Stream.of(Files.readString(Path.of("Dockerfile")), javaToolOptions)
                .map(text -> Pattern.compile("MaxRAMPercentage=(\\d+)").matcher(text))
                .filter(Matcher::find).map(m -> m.group(1)).findFirst().orElse("25");
        return limitMebibytes * Long.parseLong(percentage) / 100;
    }

    static long mebibytes(String quantity) {
        if (quantity.endsWith("Gi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
        }
        assertThat(quantity).as("a memory limit in Mi or Gi").endsWith("Mi");
        return Long.parseLong(quantity.substring(0, quantity.length() - 2));
    }

    @Test
    void prodKeepsTwoReplicasThroughADrain() throws IOException {
        Map<String, Map<String, Object>> prod = render(ROOT.resolve("overlays/prod"));
        assertThat(((Number) map(one(prod, "ScaledObject"), "spec").get("minReplicaCount")).intValue()).isGreaterThanOrEqualTo(2);
        assertThat(map(one(prod, "PodDisruptionBudget"), "spec").get("maxUnavailable")).isEqualTo(1);
        assertThat(str(one(prod, "Deployment"), "spec.template.spec.containers")).contains("memory=1536Mi");
    }

    // --- rendering: resources + strategic-merge patches (maps merge, lists of named maps merge by name) ---

    static Map<String, Map<String, Object>> render(Path dir) throws IOException {
        Map<String, Object> kustomization = documents(dir.resolve("kustomization.yaml")).get(0);
        Map<String, Map<String, Object>> resources = new LinkedHashMap<>();
        for (Object r : (List<?>) kustomization.getOrDefault("resources", List.of())) {
            Path path = dir.resolve((String) r).normalize();
            if (Files.isDirectory(path)) {
                resources.putAll(render(path));
            } else {
                for (Map<String, Object> doc : documents(path)) {
                    resources.put(doc.get("kind") + "/" + str(doc, "metadata.name"), doc);
                }
            }
        }
        for (Object p : (List<?>) kustomization.getOrDefault("patches", List.of())) {
            Map<String, Object> patch = documents(dir.resolve((String) asMap(p).get("path"))).get(0);
            String key = patch.get("kind") + "/" + str(patch, "metadata.name");
            assertThat(resources).as(dir + ": patch target " + key).containsKey(key);
            merge(resources.get(key), patch);
        }
        return resources;
    }

    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> target, Map<String, Object> patch) {
        patch.forEach((k, v) -> {
            Object existing = target.get(k);
            if (v instanceof Map && existing instanceof Map) {
                merge((Map<String, Object>) existing, (Map<String, Object>) v);
            } else if (v instanceof List<?> patchList && existing instanceof List<?> list && !list.isEmpty()
                    && list.get(0) instanceof Map<?, ?> first && first.containsKey("name")) {
                for (Object item : patchList) {
                    Map<String, Object> named = (Map<String, Object>) item;
                    Map<String, Object> match = (Map<String, Object>) list.stream()
                            .filter(e -> named.get("name").equals(((Map<?, ?>) e).get("name"))).findFirst().orElse(null);
                    if (match == null) {
                        ((List<Object>) list).add(named);
                    } else {
                        merge(match, named);
                    }
                }
            } else {
                target.put(k, v);
            }
        });
    }

    static Set<String> generatedConfigMaps(Path dir) throws IOException {
        Set<String> names = new HashSet<>();
        for (Object g : (List<?>) documents(dir.resolve("kustomization.yaml")).get(0).get("configMapGenerator")) {
            names.add((String) asMap(g).get("name"));
            for (Object f : (List<?>) asMap(g).get("files")) {
                String file = ((String) f).contains("=") ? ((String) f).split("=", 2)[1] : (String) f;
                assertThat(dir.resolve(file)).as("generator file").exists();
            }
        }
        return names;
    }

    // --- what the application reads and exports ---

    /** Placeholders in application*.yml, relaxed-binding names of its keys, CONTRACT §2, Spring/JVM ones. */
    static Set<String> readableEnvironment() throws IOException {
        Set<String> names = new HashSet<>(CONTRACT_ENV);
        names.addAll(PLATFORM_ENV);
        names.addAll(PENDING_MERGE_ENV);
        Pattern placeholder = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
        for (String file : List.of("application.yml", "application-brokers.yml")) {
            try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/" + file)) {
                String text = new String(in.readAllBytes());
                Matcher m = placeholder.matcher(text);
                while (m.find()) {
                    names.add(m.group(1));
                }
                for (Object doc : new Yaml().loadAll(text)) {
                    flatten(asMap(doc)).keySet().forEach(k -> names.add(k.replace(".", "_").replace("-", "").toUpperCase()));
                }
            }
        }
        return names;
    }

    /** Scrapes a Prometheus registry fed through IngestMetrics: the names Prometheus really sees. */
    static Set<String> exportedMetricNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        IngestMetrics metrics = new IngestMetrics(registry);
        metrics.event("rabbitmq", "success", 1);
        metrics.rows("rabbitmq", 1);
        metrics.error("rabbitmq", "database_unavailable");
        metrics.deadLetter("rabbitmq", "validation");
        metrics.processing("rabbitmq", System.nanoTime());
        metrics.batch(1);
        metrics.queueWait("rabbitmq", System.currentTimeMillis());
        // As routes.ops.QueueDepthMetrics registers it.
        Gauge.builder(IngestMetrics.QUEUE_DEPTH, () -> 0).tag("source", "rabbitmq").tag("queue", RABBITMQ_QUEUE)
                .register(registry);
        Set<String> names = new HashSet<>();
        for (String line : registry.scrape().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    static boolean resource(String name) {
        return KubernetesManifestsTest.class.getResource("/" + name) != null;
    }

    static Map<String, Object> applicationYaml() throws IOException {
        try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/application.yml")) {
            return flatten(asMap(new Yaml().load(in)));
        }
    }

    /** {@code ${ENV:default}} → default; a plain value stays as it is. */
    static String placeholderDefault(String value) {
        Matcher m = Pattern.compile("\\$\\{[^:}]+:([^}]*)}").matcher(value);
        return m.matches() ? m.group(1) : value;
    }

    // --- small YAML helpers ---

    static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (Object doc : new Yaml().loadAll(in)) {
                if (doc != null) {
                    docs.add(asMap(doc));
                }
            }
        }
        return docs;
    }

    static Map<String, Object> flatten(Map<String, Object> map) {
        Map<String, Object> flat = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v instanceof Map) {
                flatten(asMap(v)).forEach((k2, v2) -> flat.put(k + "." + k2, v2));
            } else {
                flat.put(String.valueOf(k), v);
            }
        });
        return flat;
    }

    static Map<String, Object> one(Map<String, Map<String, Object>> resources, String kind) {
        List<Map<String, Object>> found = resources.entrySet().stream().filter(e -> e.getKey().startsWith(kind + "/"))
                .map(Map.Entry::getValue).toList();
        assertThat(found).as("exactly one " + kind).hasSize(1);
        return found.get(0);
    }

    static Set<String> names(Map<String, Map<String, Object>> resources, String kind) {
        Set<String> names = new HashSet<>();
        resources.keySet().stream().filter(k -> k.startsWith(kind + "/")).forEach(k -> names.add(k.substring(kind.length() + 1)));
        return names;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }

    static Object get(Map<String, Object> map, String path) {
        Object current = map;
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map)) {
                return null;
            }
            current = ((Map<?, ?>) current).get(part);
        }
        return current;
    }

    static Map<String, Object> map(Map<String, Object> m, String path) {
        Object v = get(m, path);
        assertThat(v).as(path).isInstanceOf(Map.class);
        return asMap(v);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> m, String path) {
        Object v = get(m, path);
        assertThat(v).as(path).isInstanceOf(List.class);
        return (List<Map<String, Object>>) v;
    }

    @SuppressWarnings("unchecked")
    <T> List<T> typedList(Map<String, Object> m, String path) {
        Object v = get(m, path);
        return v instanceof List ? (List<T>) v : List.of();
    }

    static String str(Map<String, Object> m, String path) {
        Object v = m.containsKey(path) ? m.get(path) : get(m, path);
        return v == null ? null : String.valueOf(v);
    }
}
