package routes.source.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.PropertyPlaceholderHelper;
import routes.config.IngestProperties;
import routes.source.nats.JetStreamEndpoint;
import routes.source.nats.NatsSourceProperties;
import routes.source.rabbitmq.BatchingRabbitMqEndpoint;
import routes.source.rabbitmq.RabbitMqSourceProperties;
import routes.source.redis.RedisQueueEndpoint;
import routes.source.redis.RedisSourceProperties;

/**
 * Each broker's {@code batching} default (and the batch sizes and waits below) is written once: the endpoint's default, the properties'
 * default and application.yml must agree, so a route written without the option behaves as the
 * documented property says.
 */
class BatchingDefaultsTest {

    private static final Binder NOTHING_SET = new Binder(new MapConfigurationPropertySource(Map.of()));

    @Test
    void redisEndpointPropertiesAndApplicationYmlAgree() throws Exception {
        boolean endpoint = new RedisQueueEndpoint("redis-queue:q", null, "q").isBatching();
        boolean properties = NOTHING_SET.bindOrCreate("ingest.sources.redis", RedisSourceProperties.class).batching();
        assertThat(endpoint).isEqualTo(RedisQueueEndpoint.DEFAULT_BATCHING).isEqualTo(properties)
                .isEqualTo(applicationYml("ingest.sources.redis.batching"));
    }

    @Test
    void natsEndpointPropertiesAndApplicationYmlAgree() throws Exception {
        boolean endpoint = new JetStreamEndpoint("jetstream:S", null, "S").isBatching();
        boolean properties = NOTHING_SET.bindOrCreate("ingest.sources.nats", NatsSourceProperties.class).batching();
        assertThat(endpoint).isEqualTo(JetStreamEndpoint.DEFAULT_BATCHING).isEqualTo(properties)
                .isEqualTo(applicationYml("ingest.sources.nats.batching"));
    }

    @Test
    void rabbitMqEndpointPropertiesAndApplicationYmlAgree() throws Exception {
        boolean endpoint = new BatchingRabbitMqEndpoint("batching-rabbitmq:x", null, "x").isBatching();
        boolean properties = NOTHING_SET.bindOrCreate("ingest.sources.rabbitmq", RabbitMqSourceProperties.class).batching();
        assertThat(endpoint).isEqualTo(properties).isEqualTo(applicationYml("ingest.sources.rabbitmq.batching"));
    }

    /** Changed together in session 20 (docs/benchmarks.md): a default left behind in one place would win there. */
    @Test
    void rabbitMqBatchWaitIsWrittenOnceAs25Milliseconds() throws Exception {
        Duration endpoint = new BatchingRabbitMqEndpoint("batching-rabbitmq:x", null, "x").getBatchWait();
        Duration properties = NOTHING_SET.bindOrCreate("ingest.sources.rabbitmq", RabbitMqSourceProperties.class).batchWait();
        Duration yml = DurationStyle.detectAndParse(applicationYmlValue("ingest.sources.rabbitmq.batch-wait"));
        assertThat(endpoint).isEqualTo(properties).isEqualTo(yml).isEqualTo(Duration.ofMillis(25));
    }

    @Test
    void batchSizeIsWrittenOnceAs4000Rows() throws Exception {
        int properties = NOTHING_SET.bindOrCreate("ingest.batch", IngestProperties.Batch.class).size();
        assertThat(properties).isEqualTo(Integer.parseInt(applicationYmlValue("ingest.batch.size"))).isEqualTo(4000);
    }

    private static boolean applicationYml(String key) throws Exception {
        return Boolean.parseBoolean(applicationYmlValue(key));
    }

    private static String applicationYmlValue(String key) throws Exception {
        List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("application",
                new ClassPathResource("application.yml"));
        Object value = sources.get(0).getProperty(key);
        assertThat(value).as(key + " in application.yml").isNotNull();
        // ${ENV:default}: the value with no environment set
        return new PropertyPlaceholderHelper("${", "}", ":", null, true).replacePlaceholders(value.toString(), name -> null);
    }
}
