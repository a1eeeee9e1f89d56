package routes.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import routes.source.redis.RedisSourceProperties;

/**
 * The delivery worker's variables as it documented them, read through the real application.yml and
 * application-delivery.yml (a variable is given here as a property of the same name, which is how the
 * placeholders see an environment variable). Defaults are tested as defaults: nothing set gives 30 s
 * and 10,000.
 */
class DeliveryWorkerVariablesTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({DeliveryProperties.class, RedisSourceProperties.class})
    static class Properties {
    }

    private final ApplicationContextRunner app = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withUserConfiguration(Properties.class);

    private static DeliveryProperties delivery(AssertableApplicationContext context) {
        assertThat(context).hasNotFailed();
        return context.getBean(DeliveryProperties.class);
    }

    @Test
    void unsetPropertiesGiveThirtySecondsAndTenThousandAttempts() {
        DeliveryProperties bare = new Binder(new MapConfigurationPropertySource())
                .bindOrCreate("ingest.delivery", DeliveryProperties.class);
        assertThat(bare.retryInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(bare.maxAttempts()).isEqualTo(10_000);

        app.run(context -> {
            assertThat(delivery(context).retryInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(delivery(context).maxAttempts()).isEqualTo(10_000);
            assertThat(delivery(context).enabled()).isFalse();
        });
        app.withPropertyValues("spring.profiles.active=delivery").run(context -> {
            assertThat(delivery(context).retryInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(delivery(context).maxAttempts()).isEqualTo(10_000);
            assertThat(delivery(context).concurrency()).isEqualTo(4);
            assertThat(delivery(context).batchSize()).isEqualTo(1);
        });
    }

    @Test
    void theWorkersOwnVariablesSetTheDeliveryWorker() {
        app.withPropertyValues("WORKER_RETRY_INTERVAL=2s", "WORKER_MAX_ATTEMPTS=12", "WORKER_CERT_PATH=/etc/w/worker.crt",
                "WORKER_KEY_PATH=/etc/w/worker.key", "CA_CERT_PATH=/etc/w/ca.crt", "MAIN_SERVER_URL=https://main:9443",
                "WORKER_ID=edge-3").run(context -> {
                    DeliveryProperties p = delivery(context);
                    assertThat(p.retryInterval()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(p.maxAttempts()).isEqualTo(12);
                    assertThat(p.tls().certificate()).isEqualTo("/etc/w/worker.crt");
                    assertThat(p.tls().privateKey()).isEqualTo("/etc/w/worker.key");
                    assertThat(p.tls().ca()).isEqualTo("/etc/w/ca.crt");
                    assertThat(p.baseUrl()).isEqualTo("https://main:9443");
                    assertThat(p.effectiveWorkerId()).isEqualTo("edge-3");
                });
    }

    @Test
    void theOlderDeliveryAndTlsClientNamesStayAliasesAndTheWorkersNamesWin() {
        app.withPropertyValues("DELIVERY_RETRY_INTERVAL=5s", "DELIVERY_MAX_ATTEMPTS=7", "TLS_CLIENT_CERT=/old/c.crt",
                "TLS_CLIENT_KEY=/old/c.key", "TLS_CA_CERT=/old/ca.crt", "DELIVERY_CONCURRENCY=3").run(context -> {
                    DeliveryProperties p = delivery(context);
                    assertThat(p.retryInterval()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(p.maxAttempts()).isEqualTo(7);
                    assertThat(p.tls().certificate()).isEqualTo("/old/c.crt");
                    assertThat(p.tls().privateKey()).isEqualTo("/old/c.key");
                    assertThat(p.tls().ca()).isEqualTo("/old/ca.crt");
                    assertThat(p.concurrency()).isEqualTo(3);
                });
        app.withPropertyValues("DELIVERY_RETRY_INTERVAL=5s", "WORKER_RETRY_INTERVAL=9s", "TLS_CLIENT_CERT=/old/c.crt",
                "WORKER_CERT_PATH=/new/w.crt").run(context -> {
                    assertThat(delivery(context).retryInterval()).isEqualTo(Duration.ofSeconds(9));
                    assertThat(delivery(context).tls().certificate()).isEqualTo("/new/w.crt");
                });
    }

    @Test
    void workerConcurrencyAndBatchSizeSetTheDeliveryWorkerInTheDeliveryProfileAndTheIngestSourcesElsewhere() {
        app.withPropertyValues("WORKER_CONCURRENCY=7", "WORKER_BATCH_SIZE=3").run(context -> {
            Environment env = context.getEnvironment();
            assertThat(delivery(context).concurrency()).isEqualTo(4);
            assertThat(delivery(context).batchSize()).isEqualTo(1);
            assertThat(env.getProperty("ingest.batch.size")).isEqualTo("3");
            assertThat(env.getProperty("ingest.sources.redis.concurrency")).isEqualTo("7");
            assertThat(env.getProperty("ingest.sources.rabbitmq.concurrency")).isEqualTo("7");
            assertThat(env.getProperty("ingest.sources.nats.concurrency")).isEqualTo("7");
        });
        app.withPropertyValues("spring.profiles.active=delivery", "WORKER_CONCURRENCY=7", "WORKER_BATCH_SIZE=3")
                .run(context -> {
                    Environment env = context.getEnvironment();
                    assertThat(delivery(context).concurrency()).isEqualTo(7);
                    assertThat(delivery(context).batchSize()).isEqualTo(3);
                    assertThat(env.getProperty("ingest.batch.size")).isEqualTo("4000");
                    assertThat(env.getProperty("ingest.sources.redis.concurrency")).isEqualTo("2");
                    assertThat(env.getProperty("ingest.sources.rabbitmq.concurrency")).isEqualTo("2");
                    assertThat(env.getProperty("ingest.sources.nats.concurrency")).isEqualTo("2");
                });
    }

    @Test
    void theDeliveryProfileDeliversMessageQueueWithTheRedisIngestSourceOff() {
        app.withPropertyValues("spring.profiles.active=delivery").run(context -> {
            DeliveryProperties p = delivery(context);
            assertThat(p.enabled()).isTrue();
            assertThat(p.queue()).isEqualTo("message_queue");
            assertThat(p.delayedSet()).isEqualTo("message_queue:delayed");
            assertThat(p.dlq()).isEqualTo("message_queue:dlq");
            assertThat(context.getBean(RedisSourceProperties.class).enabled()).isFalse();
            DeliveryKeyOverlap.check(p, context.getBean(RedisSourceProperties.class));
        });
        // brokers then delivery: the later profile switches the Redis source off again.
        app.withPropertyValues("spring.profiles.active=brokers,delivery").run(context ->
                assertThat(context.getBean(RedisSourceProperties.class).enabled()).isFalse());
    }

    @Test
    void logLevelLogFileAndMetricsVariables() {
        app.run(context -> {
            Environment env = context.getEnvironment();
            assertThat(env.getProperty("logging.level.root")).isEqualTo("INFO");
            assertThat(env.getProperty("logging.file.name")).isEmpty();
            assertThat(env.getProperty("management.server.port", Integer.class)).isNull();
            assertThat(env.getProperty("management.prometheus.metrics.export.enabled")).isEqualTo("true");
        });
        app.withPropertyValues("LOG_LEVEL=DEBUG", "LOG_FILE_PATH=/var/log/worker/worker.log",
                "WORKER_METRICS_ENABLED=false", "WORKER_METRICS_PORT=9100").run(context -> {
                    Environment env = context.getEnvironment();
                    assertThat(env.getProperty("logging.level.root")).isEqualTo("DEBUG");
                    assertThat(env.getProperty("logging.file.name")).isEqualTo("/var/log/worker/worker.log");
                    // Spring Boot's logback rolling policy: a file a day, seven kept.
                    assertThat(env.getProperty("logging.logback.rollingpolicy.file-name-pattern"))
                            .isEqualTo("/var/log/worker/worker.log.%d{yyyy-MM-dd}.%i.gz");
                    assertThat(env.getProperty("logging.logback.rollingpolicy.max-history")).isEqualTo("7");
                    assertThat(env.getProperty("management.server.port", Integer.class)).isEqualTo(9100);
                    assertThat(env.getProperty("management.prometheus.metrics.export.enabled")).isEqualTo("false");
                });
    }
}
