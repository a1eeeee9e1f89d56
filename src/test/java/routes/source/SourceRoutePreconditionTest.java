package routes.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.springframework.util.PropertyPlaceholderHelper;
import org.yaml.snakeyaml.Yaml;
import org.springframework.core.env.AbstractEnvironment;
import org.springframework.core.env.MapPropertySource;
import routes.config.PoolDefaults;
import routes.source.http.HttpEventsReader;
import routes.source.http.HttpPublisher;
import routes.source.http.HttpResponses;

/**
 * One way to switch an optional route: a route precondition on its {@code enabled} key. The shipped route
 * files (src/main/resources/routes: the broker sources, HTTP, the delivery worker) with application.yml's
 * values: a disabled source has no route and its component is never asked for an endpoint (so nothing
 * connects to its broker, nothing listens on its path); an enabled one has its routes. The components here
 * are stand-ins that count endpoints.
 */
class SourceRoutePreconditionTest {

    /** An optional route: its file, its key, the id of the route consuming, the scheme of its consumer, its other routes. */
    record Optional(String file, String key, String route, String scheme, List<String> others) {
    }

    static final Map<String, Optional> SOURCES = Map.of(
            "rabbitmq", new Optional("rabbitmq-source", "ingest.sources.rabbitmq.enabled", "rabbitmq-source",
                    "spring-rabbitmq-batch", List.of()),
            "nats", new Optional("nats-source", "ingest.sources.nats.enabled", "nats-source", "jetstream", List.of()),
            "redis", new Optional("redis-source", "ingest.sources.redis.enabled", "redis-source", "redis-queue", List.of()),
            "http", new Optional("http-source", "ingest.sources.http.enabled", "http-source", "platform-http", List.of()),
            "delivery", new Optional("delivery", "ingest.delivery.enabled", "delivery-source", "ref",
                    List.of("delivery-sink")));
    /** What application.yml switches on by default. */
    static final Set<String> ON_BY_DEFAULT = Set.of("http");

    final Map<String, CountingComponent> components = new LinkedHashMap<>();

    @Test
    void withTheDefaultsOnlyHttpHasARouteAndNoBrokerIsAskedForAnEndpoint() throws Exception {
        try (DefaultCamelContext camel = start(Map.of())) {
            SOURCES.forEach((name, source) -> {
                boolean on = ON_BY_DEFAULT.contains(name);
                assertThat(camel.getRoute(source.route()) != null).as(source.route() + " exists").isEqualTo(on);
                source.others().forEach(other -> assertThat(camel.getRoute(other) != null).as(other).isEqualTo(on));
                assertThat(components.get(source.scheme()).endpoints).as(source.scheme() + " endpoints").hasValue(on ? 1 : 0);
            });
        }
    }

    @ParameterizedTest
    @CsvSource({"rabbitmq", "nats", "redis", "http", "delivery"})
    void anEnabledSourceHasItsRoutesAndOnlyThem(String name) throws Exception {
        Map<String, String> switches = new LinkedHashMap<>();
        SOURCES.forEach((other, source) -> switches.put(source.key(), String.valueOf(other.equals(name))));
        try (DefaultCamelContext camel = start(switches)) {
            SOURCES.forEach((other, source) -> {
                boolean enabled = other.equals(name);
                assertThat(camel.getRoute(source.route()) != null).as(source.route() + " exists").isEqualTo(enabled);
                source.others().forEach(route -> assertThat(camel.getRoute(route) != null).as(route).isEqualTo(enabled));
                assertThat(components.get(source.scheme()).endpoints).as(source.scheme() + " endpoints").hasValue(enabled ? 1 : 0);
            });
            assertThat(camel.getRoute(SOURCES.get(name).route()).getConsumer().getEndpoint().getEndpointUri())
                    .startsWith(SOURCES.get(name).scheme() + ":");
        }
    }

    /** A context with the source route files, application.yml's ingest.sources.* values, and {@code overrides}. */
    DefaultCamelContext start(Map<String, String> overrides) throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.putAll(applicationYmlSources());
        properties.putAll(overrides);
        camel.getPropertiesComponent().setInitialProperties(properties);
        for (Optional source : SOURCES.values()) {
            CountingComponent component = new CountingComponent();
            components.put(source.scheme(), component);
            camel.addComponent(source.scheme(), component);
        }
        // Stand-ins for the beans the routes name.
        camel.getRegistry().bind("rabbitMqDelivery", (Processor) exchange -> { });
        camel.getRegistry().bind("deliverySink", (Processor) exchange -> { });
        camel.getRegistry().bind("httpPublisher", new HttpPublisher(null, null, null));
        camel.getRegistry().bind("httpEventsReader", new HttpEventsReader(null, null, null));
        camel.getRegistry().bind("httpResponses", new HttpResponses(null, null));
        for (Optional source : SOURCES.values()) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(PluginHelper.getResourceLoader(camel)
                    .resolveResource("classpath:routes/" + source.file() + ".camel.yaml"));
        }
        camel.start();
        return camel;
    }

    /**
     * {@code ingest.sources.*} and {@code ingest.delivery.*} of application.yml, flattened, {@code ${ENV:default}} values resolved to their
     * defaults as with no environment (nested ones too: {@code ${NATS_CONCURRENCY:${WORKER_CONCURRENCY:2}}} is 2).
     */
    static Map<String, String> applicationYmlSources() throws Exception {
        try (InputStream in = SourceRoutePreconditionTest.class.getResourceAsStream("/application.yml")) {
            Map<String, Object> root = new Yaml().load(in);
            Map<String, String> flat = new LinkedHashMap<>();
            flatten("", root, flat);
            flat.keySet().removeIf(key -> !key.startsWith("ingest.sources.") && !key.startsWith("ingest.delivery."));
            PropertyPlaceholderHelper defaults = new PropertyPlaceholderHelper("${", "}", ":", null, true);
            flat.replaceAll((key, value) -> defaults.replacePlaceholders(value, name -> null));
            // The pools' min-/max-consumers: defaults derived from other keys, as the app's environment has them.
            AbstractEnvironment environment = new AbstractEnvironment() { };
            environment.getPropertySources().addFirst(new MapPropertySource("application.yml", new HashMap<>(flat)));
            new PoolDefaults().postProcessEnvironment(environment, null);
            for (String source : SOURCES.keySet()) {
                for (String key : List.of("min-consumers", "max-consumers")) {
                    String derived = environment.getProperty("ingest.sources." + source + "." + key);
                    if (derived != null) { // the broker sources only: HTTP and delivery have no such pool keys
                        flat.putIfAbsent("ingest.sources." + source + "." + key, derived);
                    }
                }
            }
            assertThat(flat).containsEntry("ingest.sources.nats.enabled", "false")
                    .containsEntry("ingest.sources.redis.enabled", "false")
                    .containsEntry("ingest.sources.rabbitmq.enabled", "false")
                    .containsEntry("ingest.sources.http.enabled", "true")
                    .containsEntry("ingest.delivery.enabled", "false");
            return flat;
        }
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object node, Map<String, String> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix + k + ".", v, out));
        } else if (!(node instanceof List<?>)) {
            out.put(prefix.substring(0, prefix.length() - 1), String.valueOf(node));
        }
    }

    /** Counts the endpoints it is asked for; their consumers do nothing. */
    static final class CountingComponent extends DefaultComponent {
        final AtomicInteger endpoints = new AtomicInteger();

        @Override
        protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
            endpoints.incrementAndGet();
            parameters.clear();
            return new IdleEndpoint(uri, this);
        }
    }

    static final class IdleEndpoint extends DefaultEndpoint {
        IdleEndpoint(String uri, Component component) {
            super(uri, component);
        }

        @Override
        public Producer createProducer() {
            throw new UnsupportedOperationException("consumer only");
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            return new DefaultConsumer(this, processor);
        }
    }
}
