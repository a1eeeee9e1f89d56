package routes.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.catalog.impl.DefaultRuntimeCamelCatalog;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import routes.source.rabbitmq.BatchingRabbitMqComponent;
import routes.source.rabbitmq.BatchingRabbitMqEndpoint;

/**
 * Every YAML route file the product ships (src/main/resources/routes) or documents (docs/examples/routes,
 * deploy/routes) names only components on our classpath and only options those components have, and
 * every {@code direct:} it calls has a consumer. Validation is Camel's own runtime catalog, so a typo
 * in an option fails here rather than at start-up in production.
 */
class YamlRoutesTest {

    static final List<Path> ROUTE_DIRECTORIES = List.of(
            Path.of("src/main/resources/routes"),
            Path.of("docs/examples/routes"), Path.of("deploy/routes"));
    /**
     * Our own components have no catalog entry: their options are the endpoint's {@code @UriParam}
     * fields, checked by reflection.
     */
    static final java.util.Map<String, Class<?>> OWN_COMPONENTS = java.util.Map.of(
            "jetstream", routes.source.nats.JetStreamEndpoint.class,
            "redis-queue", routes.source.redis.RedisQueueEndpoint.class,
            "per-message", routes.pipeline.steps.PerMessageEndpoint.class);
    /** direct: endpoints consumed by Java routes (none today: the pipeline's live in YAML). */
    static final Set<String> JAVA_DIRECT_CONSUMERS = Set.of();
    private static final Set<String> URI_KEYS = Set.of("uri", "to", "toD", "wireTap", "enrich", "pollEnrich");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)(?::([^}]*))?}}");

    private static DefaultCamelContext camel;
    private static DefaultRuntimeCamelCatalog catalog;

    @BeforeAll
    static void catalog() {
        camel = new DefaultCamelContext();
        catalog = new DefaultRuntimeCamelCatalog();
        catalog.setCamelContext(camel);
        catalog.start();
    }

    @AfterAll
    static void close() throws Exception {
        camel.close();
    }

    @Test
    void everyEndpointIsAKnownComponentWithKnownOptions() throws Exception {
        List<String> uris = endpointUris();
        assertThat(uris).as("endpoints found").anyMatch(u -> u.startsWith("direct:ingest"));
        assertThat(uris).anyMatch(u -> u.startsWith("spring-rabbitmq:"));
        List<String> problems = new ArrayList<>();
        for (String uri : uris) {
            String problem = problem(uri);
            if (problem != null) {
                problems.add(uri + " → " + problem);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theValidationCatchesAnUnknownOptionAndAnUnknownComponent() {
        assertThat(problem("spring-rabbitmq:x?queues=q&prefechCount=5")).contains("prefechCount");
        assertThat(problem("spring-rabbitmq:x?queues=q&acknowledgeMode=SOMETIMES")).contains("SOMETIMES");
        assertThat(problem("rabbitmq:x?queue=q")).contains("rabbitmq");
        assertThat(problem("jetstream:S?subject=x&bogus=1")).contains("bogus");
        assertThat(problem("jetstream:S?subject=x&maxDeliver=5")).isNull();
        assertThat(problem("per-message:direct:before-validation?step=team-a")).isNull();
        assertThat(problem("per-message:direct:before-validation?stpe=team-a")).contains("stpe");
        assertThat(problem("per-message:direct:dead-letter?messages=failed&failure=keep")).isNull();
        assertThat(problem("per-message:direct:commit-retry?messages=uncommitted&failure=keep&handOff=true")).isNull();
        assertThat(problem("spring-rabbitmq:x?queues=q&prefetchCount=5&arg.queue.durable=true")).isNull();
        assertThat(problem("spring-rabbitmq-batch:x?queues=q&prefetchCount=5&batchSize=50&batchWait=5ms")).isNull();
        assertThat(problem("spring-rabbitmq-batch:x?queues=q&batchSise=50")).contains("batchSise");
        assertThat(problem("spring-rabbitmq-batch:x?queues=q&prefechCount=5")).contains("prefechCount");
    }

    @Test
    void everyDirectEndpointCalledHasAConsumer() throws Exception {
        Set<String> consumers = new TreeSet<>(JAVA_DIRECT_CONSUMERS);
        Set<String> called = new TreeSet<>();
        for (Path file : routeFiles()) {
            for (Object route : load(file)) {
                walk(route, null, (key, uri) -> {
                    String name = uri.split("\\?")[0];
                    if (name.startsWith("per-message:")
                            && (uri.contains("messages=failed") || uri.contains("messages=uncommitted"))) {
                        // it calls its target; a hook (messages=pending, a team's step) may have no route
                        name = name.substring("per-message:".length());
                    }
                    if (name.startsWith("direct:")) {
                        ("from".equals(key) ? consumers : called).add(name);
                    }
                });
            }
        }
        assertThat(consumers).contains("direct:ingest", "direct:dead-letter");
        assertThat(consumers).containsAll(called);
    }

    /** What is wrong with an endpoint URI (unknown component, unknown option, bad value), or null. */
    static String problem(String uri) {
        String resolved = resolve(uri);
        String scheme = resolved.substring(0, Math.max(0, resolved.indexOf(':')));
        if (OWN_COMPONENTS.containsKey(scheme)) {
            return unknownOwnOptions(OWN_COMPONENTS.get(scheme), resolved);
        }
        if (BatchingRabbitMqComponent.SCHEME.equals(scheme)) {
            // camel-spring-rabbitmq's options (its catalog) plus the batching ones our endpoint adds.
            resolved = "spring-rabbitmq" + withoutOwnOptions(BatchingRabbitMqEndpoint.class,
                    resolved.substring(scheme.length()));
            scheme = "spring-rabbitmq";
        }
        if (catalog.componentJSonSchema(scheme) == null) {
            return "unknown component '" + scheme + "' (not on the classpath)";
        }
        var result = catalog.validateEndpointProperties(resolved, true, false, false);
        return result.isSuccess() ? null : result.summaryErrorMessage(false, false, true);
    }

    /** The @UriParam fields of an endpoint class and its super classes. */
    static Set<String> ownOptions(Class<?> endpoint, boolean inherited) {
        Set<String> options = new TreeSet<>();
        for (Class<?> c = endpoint; c != null && c != Object.class; c = inherited ? c.getSuperclass() : null) {
            for (java.lang.reflect.Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(org.apache.camel.spi.UriParam.class)) {
                    options.add(f.getName());
                }
            }
        }
        return options;
    }

    /** {@code rest} (":path?query") without the options declared by {@code endpoint} itself. */
    static String withoutOwnOptions(Class<?> endpoint, String rest) {
        Set<String> own = ownOptions(endpoint, false);
        int query = rest.indexOf('?');
        if (query < 0) {
            return rest;
        }
        List<String> kept = new ArrayList<>();
        for (String pair : rest.substring(query + 1).split("&")) {
            if (!own.contains(pair.split("=", 2)[0])) {
                kept.add(pair);
            }
        }
        return rest.substring(0, query) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }

    static String unknownOwnOptions(Class<?> endpoint, String uri) {
        Set<String> options = ownOptions(endpoint, true);
        List<String> unknown = new ArrayList<>();
        int query = uri.indexOf('?');
        if (query >= 0) {
            for (String pair : uri.substring(query + 1).split("&")) {
                String name = pair.split("=", 2)[0];
                if (!name.isEmpty() && !options.contains(name)) {
                    unknown.add(name);
                }
            }
        }
        return unknown.isEmpty() ? null : "unknown options " + unknown + " (known: " + options + ")";
    }

    /** Every endpoint URI of every route file, with its {@code parameters:} appended as a query. */
    static List<String> endpointUris() throws Exception {
        List<String> uris = new ArrayList<>();
        for (Path file : routeFiles()) {
            for (Object route : load(file)) {
                walk(route, null, (key, uri) -> uris.add(uri));
            }
        }
        return uris;
    }

    static List<Path> routeFiles() throws Exception {
        List<Path> files = new ArrayList<>();
        for (Path dir : ROUTE_DIRECTORIES) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> list = Files.list(dir)) {
                    list.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().forEach(files::add);
                }
            }
        }
        assertThat(files).as("route files").isNotEmpty();
        return files;
    }

    private static List<Object> load(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            Object root = new Yaml().load(in);
            assertThat(root).as(file + " is a YAML list of routes").isInstanceOf(List.class);
            @SuppressWarnings("unchecked")
            List<Object> routes = (List<Object>) root;
            return routes;
        }
    }

    interface UriVisitor {
        void visit(String key, String uri);
    }

    /** Walks a YAML route tree; {@code from}/{@code to} objects with {@code uri} + {@code parameters}, or plain strings. */
    @SuppressWarnings("unchecked")
    private static void walk(Object node, String parentKey, UriVisitor visitor) {
        if (node instanceof Map<?, ?> map) {
            Object uri = map.get("uri");
            if (uri instanceof String text && parentKey != null) {
                visitor.visit(parentKey, withParameters(text, (Map<String, Object>) map.get("parameters")));
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (URI_KEYS.contains(key) && e.getValue() instanceof String text) {
                    visitor.visit(key, text);
                } else if (!"parameters".equals(key)) {
                    walk(e.getValue(), key, visitor);
                }
            }
        } else if (node instanceof List<?> list) {
            list.forEach(child -> walk(child, parentKey, visitor));
        }
    }

    private static String withParameters(String uri, Map<String, Object> parameters) {
        if (parameters == null || parameters.isEmpty()) {
            return uri;
        }
        Map<String, Object> ordered = new LinkedHashMap<>(parameters);
        StringBuilder query = new StringBuilder(uri).append(uri.contains("?") ? '&' : '?');
        ordered.forEach((k, v) -> query.append(k).append('=').append(v).append('&'));
        return query.substring(0, query.length() - 1);
    }

    /** {@code {{key:default}}} → the default; {@code {{key}}} → a value of the right shape is unknown, so "1". */
    private static String resolve(String uri) {
        Matcher m = PLACEHOLDER.matcher(uri);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) != null ? m.group(2) : "1"));
        }
        m.appendTail(out);
        return out.toString();
    }
}
