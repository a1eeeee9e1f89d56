package routes.config;

import java.util.List;
import java.util.function.IntSupplier;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * The defaults of the broker sources' consumer pools, which depend on other keys:
 * {@code ingest.sources.<redis|nats|rabbitmq>.min-consumers} = that source's {@code concurrency}, and
 * {@code max-consumers} = RabbitMQ's former {@code max-concurrency} when set, else 2 × {@code min-consumers}, but
 * no more than the processors the JVM sees and never below {@code min-consumers}: loops beyond the processors add
 * no CPU to the work, only contention (on 2 cores NATS drained 60,000-event bursts ~9 % faster with 2 pull loops
 * than with the 4 the pool grew to; docs/scaling.md). A property source of the lowest precedence, so
 * application.yml, the environment ({@code INGEST_SOURCES_REDIS_MIN_CONSUMERS}, ...) and test properties
 * win; it computes on each lookup, so a {@code concurrency} set late (a test's dynamic property) still
 * counts. The Camel routes' placeholders and the bound properties see the same values.
 */
public class PoolDefaults implements EnvironmentPostProcessor, Ordered {

    static final List<String> SOURCES = List.of("redis", "nats", "rabbitmq");
    static final String PREFIX = "ingest.sources.";

    private final IntSupplier processors;

    public PoolDefaults() {
        this(Runtime.getRuntime()::availableProcessors);
    }

    PoolDefaults(IntSupplier processors) {
        this.processors = processors;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new Defaults(environment, processors));
    }

    /** The default maximum: twice the minimum, capped by the processors, never below the minimum. */
    static int defaultMax(int min, int processors) {
        return Math.max(min, Math.min(2 * min, processors));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    /**
     * Keeps the environment in a field, not as its source object: Spring Boot's binder expands a property
     * source whose source is an environment into that environment's sources, which would include this one.
     */
    static final class Defaults extends PropertySource<Object> {

        private final Environment environment;
        private final IntSupplier processors;

        Defaults(Environment environment, IntSupplier processors) {
            super("ingest-pool-defaults");
            this.environment = environment;
            this.processors = processors;
        }

        @Override
        public Object getProperty(String name) {
            if (!name.startsWith(PREFIX)) {
                return null;
            }
            String rest = name.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            if (dot < 0 || !SOURCES.contains(rest.substring(0, dot))) {
                return null;
            }
            String source = PREFIX + rest.substring(0, dot) + ".";
            return switch (rest.substring(dot + 1)) {
                case "min-consumers" -> environment.getProperty(source + "concurrency");
                case "max-consumers" -> {
                    // RabbitMQ's key before the pools (its container's maximum) keeps its meaning
                    String former = environment.getProperty(source + "max-concurrency");
                    if (former != null) {
                        yield former;
                    }
                    Integer min = environment.getProperty(source + "min-consumers", Integer.class);
                    yield min == null ? null : Integer.toString(defaultMax(min, processors.getAsInt()));
                }
                default -> null;
            };
        }
    }
}
