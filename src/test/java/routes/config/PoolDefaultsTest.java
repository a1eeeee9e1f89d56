package routes.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import routes.source.nats.NatsSourceProperties;
import routes.source.rabbitmq.RabbitMqSourceProperties;
import routes.source.redis.RedisSourceProperties;

/**
 * The pools' derived defaults: min = concurrency, max = 2 × min capped by the processors (never below min), for the
 * placeholders and the bound properties alike.
 */
class PoolDefaultsTest {

    private final Map<String, Object> keys = new HashMap<>();

    /** On a host with processors to spare: the maximum is twice the minimum. */
    private StandardEnvironment environment() {
        return environment(64);
    }

    private StandardEnvironment environment(int processors) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", keys));
        new PoolDefaults(() -> processors).postProcessEnvironment(environment, null);
        return environment;
    }

    @Test
    void theMaxIsCappedByTheProcessorsButNeverBelowTheMin() {
        keys.put("ingest.sources.nats.concurrency", "2");
        keys.put("ingest.sources.redis.concurrency", "1");
        keys.put("ingest.sources.rabbitmq.concurrency", "3");
        StandardEnvironment twoCores = environment(2);
        assertThat(twoCores.getProperty("ingest.sources.nats.max-consumers")).as("2 loops on 2 cores, not 4").isEqualTo("2");
        assertThat(twoCores.getProperty("ingest.sources.redis.max-consumers")).isEqualTo("2");
        assertThat(twoCores.getProperty("ingest.sources.rabbitmq.max-consumers")).as("never below the min").isEqualTo("3");
        StandardEnvironment eightCores = environment(8);
        assertThat(eightCores.getProperty("ingest.sources.nats.max-consumers")).isEqualTo("4");
        assertThat(eightCores.getProperty("ingest.sources.rabbitmq.max-consumers")).isEqualTo("6");
        keys.put("ingest.sources.nats.max-consumers", "6");
        assertThat(environment(2).getProperty("ingest.sources.nats.max-consumers")).as("a set max wins").isEqualTo("6");
    }

    @Test
    void theAppsDefaultsReadTheProcessorsTheJvmSees() {
        keys.put("ingest.sources.nats.concurrency", "2");
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", keys));
        new PoolDefaults().postProcessEnvironment(environment, null);
        assertThat(environment.getProperty("ingest.sources.nats.max-consumers"))
                .isEqualTo(Integer.toString(PoolDefaults.defaultMax(2, Runtime.getRuntime().availableProcessors())));
    }

    @Test
    void minIsTheConcurrencyAndMaxTwiceTheMin() {
        keys.put("ingest.sources.redis.concurrency", "3");
        StandardEnvironment environment = environment();
        assertThat(environment.getProperty("ingest.sources.redis.min-consumers")).isEqualTo("3");
        assertThat(environment.getProperty("ingest.sources.redis.max-consumers")).isEqualTo("6");
        assertThat(environment.resolvePlaceholders("{{x}} ${ingest.sources.redis.max-consumers}")).isEqualTo("{{x}} 6");
    }

    @Test
    void aSetMinDoublesIntoTheMaxAndASetMaxWins() {
        keys.put("ingest.sources.nats.concurrency", "2");
        keys.put("ingest.sources.nats.min-consumers", "5");
        keys.put("ingest.sources.rabbitmq.concurrency", "2");
        keys.put("ingest.sources.rabbitmq.max-consumers", "3");
        StandardEnvironment environment = environment();
        assertThat(environment.getProperty("ingest.sources.nats.max-consumers")).isEqualTo("10");
        assertThat(environment.getProperty("ingest.sources.rabbitmq.min-consumers")).isEqualTo("2");
        assertThat(environment.getProperty("ingest.sources.rabbitmq.max-consumers")).isEqualTo("3");
    }

    @Test
    void rabbitMqsFormerMaxConcurrencyStillSetsItsMax() {
        // Before the pools, ingest.sources.rabbitmq.max-concurrency was the container's maximum: a deployment
        // that sets it keeps its meaning (max-consumers, when that is not set itself).
        keys.put("ingest.sources.rabbitmq.concurrency", "2");
        keys.put("ingest.sources.rabbitmq.max-concurrency", "7");
        assertThat(environment().getProperty("ingest.sources.rabbitmq.max-consumers")).isEqualTo("7");
        keys.put("ingest.sources.rabbitmq.max-consumers", "3");
        assertThat(environment().getProperty("ingest.sources.rabbitmq.max-consumers")).isEqualTo("3");
    }

    @Test
    void aConcurrencySetLaterStillCounts() {
        StandardEnvironment environment = environment();
        assertThat(environment.getProperty("ingest.sources.redis.min-consumers")).isNull();
        keys.put("ingest.sources.redis.concurrency", "4");
        assertThat(environment.getProperty("ingest.sources.redis.max-consumers")).isEqualTo("8");
    }

    @Test
    void otherKeysAreNotItsBusiness() {
        keys.put("ingest.sources.http.concurrency", "4");
        StandardEnvironment environment = environment();
        assertThat(environment.getProperty("ingest.sources.http.min-consumers")).isNull();
        assertThat(environment.getProperty("ingest.delivery.max-consumers")).isNull();
        assertThat(environment.getProperty("ingest.sources.redis")).isNull();
    }

    @Test
    void thePropertiesBindTheDerivedDefaults() {
        keys.put("ingest.sources.redis.concurrency", "3");
        keys.put("ingest.sources.nats.concurrency", "2");
        keys.put("ingest.sources.rabbitmq.concurrency", "1");
        Binder binder = Binder.get(environment());
        RedisSourceProperties redis = binder.bindOrCreate("ingest.sources.redis", RedisSourceProperties.class);
        assertThat(redis.minConsumers()).isEqualTo(3);
        assertThat(redis.maxConsumers()).isEqualTo(6);
        assertThat(redis.scaleThreshold()).isEqualTo(1000);
        NatsSourceProperties nats = binder.bindOrCreate("ingest.sources.nats", NatsSourceProperties.class);
        assertThat(nats.maxConsumers()).isEqualTo(4);
        RabbitMqSourceProperties rabbitmq = binder.bindOrCreate("ingest.sources.rabbitmq", RabbitMqSourceProperties.class);
        assertThat(rabbitmq.minConsumers()).isEqualTo(1);
        assertThat(rabbitmq.maxConsumers()).isEqualTo(2);
        assertThat(rabbitmq.scaleInterval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aMaxBelowTheMinIsRefused() {
        keys.put("ingest.sources.redis.concurrency", "4");
        keys.put("ingest.sources.redis.max-consumers", "2");
        RedisSourceProperties redis = Binder.get(environment()).bindOrCreate("ingest.sources.redis", RedisSourceProperties.class);
        try (var validators = jakarta.validation.Validation.buildDefaultValidatorFactory()) {
            assertThat(validators.getValidator().validate(redis)).extracting(v -> v.getMessage())
                    .containsExactly("max-consumers must be at least min-consumers");
        }
        keys.put("ingest.sources.redis.max-consumers", "4");
        RedisSourceProperties fixed = Binder.get(environment()).bindOrCreate("ingest.sources.redis", RedisSourceProperties.class);
        try (var validators = jakarta.validation.Validation.buildDefaultValidatorFactory()) {
            assertThat(validators.getValidator().validate(fixed)).isEmpty();
        }
    }
}
