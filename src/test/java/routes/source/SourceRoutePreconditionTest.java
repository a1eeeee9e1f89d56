package routes.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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

/**
 * One way to switch a source: a route precondition on {@code ingest.sources.<name>.enabled}. The shipped
 * route files (src/main/resources/routes/*-source.camel.yaml) with application.yml's values: a disabled
 * source has no route and its component is never asked for an endpoint (so nothing connects to its
 * broker); an enabled one has its route. The components here are stand-ins that count endpoints.
 */
class SourceRoutePreconditionTest {

    /** Source name → (route id, the scheme of its consumer). */
    static final Map<String, String[]> SOURCES = Map.of(
            "rabbitmq", new String[] {"rabbitmq-source", "spring-rabbitmq-batch"},
            "nats", new String[] {"nats-source", "jetstream"},
            "redis", new String[] {"redis-source", "redis-queue"});

    final Map<String, CountingComponent> components = new LinkedHashMap<>();

    @Test
    void withTheDefaultsNoSourceRouteExistsAndNoBrokerIsAskedForAnEndpoint() throws Exception {
        try (DefaultCamelContext camel = start(Map.of())) {
            for (String[] source : SOURCES.values()) {
                assertThat(camel.getRoute(source[0])).as(source[0]).isNull();
                assertThat(components.get(source[1]).endpoints).as(source[1] + " endpoints").hasValue(0);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"rabbitmq", "nats", "redis"})
    void anEnabledSourceHasItsRouteAndOnlyIt(String name) throws Exception {
        try (DefaultCamelContext camel = start(Map.of("ingest.sources." + name + ".enabled", "true"))) {
            SOURCES.forEach((other, source) -> {
                boolean enabled = other.equals(name);
                assertThat(camel.getRoute(source[0]) != null).as(source[0] + " exists").isEqualTo(enabled);
                assertThat(components.get(source[1]).endpoints).as(source[1] + " endpoints").hasValue(enabled ? 1 : 0);
            });
            assertThat(camel.getRoute(SOURCES.get(name)[0]).getConsumer().getEndpoint().getEndpointUri())
                    .startsWith(SOURCES.get(name)[1] + ":");
        }
    }

    /** A context with the source route files, application.yml's ingest.sources.* values, and {@code overrides}. */
    DefaultCamelContext start(Map<String, String> overrides) throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        Properties properties = new Properties();
        properties.putAll(applicationYmlSources());
        properties.putAll(overrides);
        camel.getPropertiesComponent().setInitialProperties(properties);
        for (String[] source : SOURCES.values()) {
            CountingComponent component = new CountingComponent();
            components.put(source[1], component);
            camel.addComponent(source[1], component);
        }
        camel.getRegistry().bind("rabbitMqDelivery", (Processor) exchange -> { });
        for (String[] source : SOURCES.values()) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(PluginHelper.getResourceLoader(camel)
                    .resolveResource("classpath:routes/" + source[0] + ".camel.yaml"));
        }
        camel.start();
        return camel;
    }

    /**
     * {@code ingest.sources.*} of application.yml, flattened, {@code ${ENV:default}} values resolved to their
     * defaults as with no environment (nested ones too: {@code ${NATS_CONCURRENCY:${WORKER_CONCURRENCY:2}}} is 2).
     */
    static Map<String, String> applicationYmlSources() throws Exception {
        try (InputStream in = SourceRoutePreconditionTest.class.getResourceAsStream("/application.yml")) {
            Map<String, Object> root = new Yaml().load(in);
            Map<String, String> flat = new LinkedHashMap<>();
            flatten("", root, flat);
            flat.keySet().removeIf(key -> !key.startsWith("ingest.sources."));
            PropertyPlaceholderHelper defaults = new PropertyPlaceholderHelper("${", "}", ":", null, true);
            flat.replaceAll((key, value) -> defaults.replacePlaceholders(value, name -> null));
            // The pools' min-/max-consumers: defaults derived from other keys, as the app's environment has them.
            AbstractEnvironment environment = new AbstractEnvironment() { };
            environment.getPropertySources().addFirst(new MapPropertySource("application.yml", new HashMap<>(flat)));
            new PoolDefaults().postProcessEnvironment(environment, null);
            for (String source : SOURCES.keySet()) {
                for (String key : List.of("min-consumers", "max-consumers")) {
                    flat.putIfAbsent("ingest.sources." + source + "." + key,
                            environment.getProperty("ingest.sources." + source + "." + key));
                }
            }
            assertThat(flat).containsEntry("ingest.sources.nats.enabled", "false")
                    .containsEntry("ingest.sources.redis.enabled", "false")
                    .containsEntry("ingest.sources.rabbitmq.enabled", "false");
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
