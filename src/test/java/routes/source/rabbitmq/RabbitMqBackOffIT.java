package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;

/**
 * Failures outside the commit on a classic queue, which only flags a redelivery: the source paces its
 * retries with the redelivery back-off instead of handing the message straight back (a hot loop), counts
 * the attempts itself, so the budget runs out, and the dead letter records the real number of attempts.
 */
@SpringBootTest(classes = {IngestApplication.class, RabbitMqBackOffIT.SwitchableStore.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.main.allow-bean-definition-overriding=true")
class RabbitMqBackOffIT {

    static final String DATABASE = "it_rabbitmq_backoff";
    static final String QUEUE = "it.rabbitmq.backoff.q";
    static final String DLX = "it.rabbitmq.backoff.dlx";
    static final String DLQ = "it.rabbitmq.backoff.dlq";
    static final RabbitMqTestBroker broker = new RabbitMqTestBroker();
    /** When the store was asked, while it is down. */
    static final Queue<Long> lookupsWhileDown = new ConcurrentLinkedQueue<>();
    static volatile boolean storeDown;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        broker.sourceProperties(registry, DATABASE, QUEUE, DLX, DLQ);
        registry.add("ingest.sources.http.enabled", () -> "false");
        registry.add("ingest.redelivery.max-attempts", () -> "5");
        registry.add("ingest.redelivery.initial-delay", () -> "100ms");
        registry.add("ingest.redelivery.max-delay", () -> "1s");
    }

    /** The committed-key store, which a test can make unreachable. */
    @TestConfiguration
    static class SwitchableStore {
        @Bean
        IdempotentRepository eventIdempotentStore() {
            return new Switchable(MemoryIdempotentRepository.memoryIdempotentRepository(1000));
        }
    }

    static final class Switchable extends ServiceSupport implements IdempotentRepository {
        private final IdempotentRepository delegate;

        Switchable(IdempotentRepository delegate) {
            this.delegate = delegate;
        }

        private void check() {
            if (storeDown) {
                lookupsWhileDown.add(System.nanoTime());
                throw new IllegalStateException("test: the idempotency store is unreachable");
            }
        }

        @Override
        public boolean add(String key) {
            check();
            return delegate.add(key);
        }

        @Override
        public boolean contains(String key) {
            check();
            return delegate.contains(key);
        }

        @Override
        public boolean remove(String key) {
            return delegate.remove(key);
        }

        @Override
        public boolean confirm(String key) {
            return delegate.confirm(key);
        }

        @Override
        public void clear() {
            delegate.clear();
        }
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    RabbitMqAcknowledger acknowledger;

    @AfterAll
    static void close() {
        broker.close();
    }

    @BeforeEach
    void clean() {
        storeDown = false;
        jdbc.execute("TRUNCATE ingest_events, daily_stats, dead_letters");
    }

    Map<String, Object> onlyDeadLetter() {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT error_type, attempts FROM dead_letters");
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    @Test
    void withTheIdempotencyStoreDownMessagesStillLandOnceAndAreAckedWithoutRetries() {
        storeDown = true;
        lookupsWhileDown.clear();
        UUID device = UUID.randomUUID();

        // 20 events of 2 metrics, one of them sent twice: the store is an optimisation, never a condition.
        List<byte[]> events = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(RabbitMqTestBroker.event("store-down-" + i, device, i, 2));
        }
        events.add(events.get(0));
        broker.publish(QUEUE, events);

        await().atMost(Duration.ofSeconds(20)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        assertThat(lookupsWhileDown).as("the store was asked while down").isNotEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class)).isEqualTo(40);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(40);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
        storeDown = false;
    }

    @Test
    void whileTheDeadLetterExchangeRefusesRetriesAreSpacedAndTheDeadLetterCountsEveryAttempt() {
        CachingConnectionFactory adminConnection = new CachingConnectionFactory(RabbitMqTestBroker.HOST, 5672);
        RabbitAdmin admin = new RabbitAdmin(adminConnection);
        admin.deleteExchange(DLX);
        long nackedBefore = acknowledger.nacked();
        long start = System.nanoTime();

        broker.publish(QUEUE, List.of("not json at all".getBytes(StandardCharsets.UTF_8)));

        // Over 3 s, back-off (100, 200, 400, 800, 1000 ms...) allows about 6 tries; a hot loop makes hundreds.
        // (Spring AMQP's threads fail on each refused publish's channel: not this test's concern.)
        await().dontCatchUncaughtExceptions().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                .until(() -> true);
        long triesIn3s = acknowledger.nacked() - nackedBefore;
        assertThat(triesIn3s).as("failed tries within %d ms", (System.nanoTime() - start) / 1_000_000)
                .isBetween(2L, 10L);

        DirectExchange dlx = new DirectExchange(DLX, true, false);
        admin.declareExchange(dlx);
        admin.declareBinding(BindingBuilder.bind(new org.springframework.amqp.core.Queue(DLQ)).to(dlx).with(DLQ));
        adminConnection.destroy();
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM dead_letters", Long.class) > 0);
        long failedTries = acknowledger.nacked() - nackedBefore;
        assertThat(onlyDeadLetter()).containsEntry("error_type", "json")
                .containsEntry("attempts", (int) failedTries + 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
    }
}
