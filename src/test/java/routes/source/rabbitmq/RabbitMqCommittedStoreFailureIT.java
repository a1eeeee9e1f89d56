package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.support.StatsInvariant;

/**
 * The committed-key store failing right after a commit (a Redis idempotency store that blips): the rows
 * are committed, so every message of the batch is still settled (acked), and the source goes on
 * consuming instead of filling its prefetch window with deliveries nobody will ever settle.
 */
@SpringBootTest(classes = {IngestApplication.class, RabbitMqCommittedStoreFailureIT.FailingStore.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "spring.main.allow-bean-definition-overriding=true")
class RabbitMqCommittedStoreFailureIT {

    static final String DATABASE = "it_rabbitmq_store_failure";
    static final String QUEUE = "it.rabbitmq.storefail.q";
    static final String DLX = "it.rabbitmq.storefail.dlx";
    static final String DLQ = "it.rabbitmq.storefail.dlq";
    static final RabbitMqTestBroker broker = new RabbitMqTestBroker();
    static final AtomicInteger failedAdds = new AtomicInteger();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        broker.sourceProperties(registry, DATABASE, QUEUE, DLX, DLQ);
        // A small window: a few batches left unsettled would stop the consumer.
        registry.add("ingest.sources.rabbitmq.prefetch", () -> "20");
        registry.add("ingest.sources.rabbitmq.batch-size", () -> "10");
        registry.add("ingest.sources.rabbitmq.concurrency", () -> "1");
        registry.add("ingest.sources.rabbitmq.max-consumers", () -> "1");
    }

    /** A committed-key store that answers lookups but fails every write, as an unreachable Redis would. */
    @TestConfiguration
    static class FailingStore {
        @Bean
        IdempotentRepository eventIdempotentStore() {
            return new FailingWrites();
        }
    }

    static final class FailingWrites extends ServiceSupport implements IdempotentRepository {
        @Override
        public boolean add(String key) {
            failedAdds.incrementAndGet();
            throw new IllegalStateException("test: the idempotency store is unreachable");
        }

        @Override
        public boolean contains(String key) {
            return false;
        }

        @Override
        public boolean remove(String key) {
            return false;
        }

        @Override
        public boolean confirm(String key) {
            return true;
        }

        @Override
        public void clear() {
        }
    }

    @Autowired
    JdbcTemplate jdbc;
    @LocalServerPort
    int port;

    @AfterAll
    static void close() {
        broker.close();
    }

    @BeforeEach
    void empty() {
        jdbc.execute("TRUNCATE ingest_events, daily_stats, dead_letters");
    }

    @Test
    void aBatchWhoseCommittedKeysCannotBeStoredIsStillAckedAndConsumptionGoesOn() {
        List<byte[]> bodies = new ArrayList<>();
        UUID device = UUID.randomUUID();
        for (int i = 0; i < 200; i++) {
            bodies.add(RabbitMqTestBroker.event("store-fail-" + i, device, i, 2));
        }

        broker.publish(QUEUE, bodies);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class)).isEqualTo(400L);
            assertThat(broker.readyAndUnacked(QUEUE)).as("ready + unacked in " + QUEUE).isZero();
        });
        assertThat(failedAdds.get()).isPositive();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
    }

    @Test
    void anHttpRequestWhoseCommittedKeysCannotBeStoredIsStillAnswered202() throws Exception {
        int before = failedAdds.get();
        String event = new String(RabbitMqTestBroker.event("store-fail-http", UUID.randomUUID(), 1, 2),
                StandardCharsets.UTF_8);

        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event)).build(),
                HttpResponse.BodyHandlers.ofString());

        // The rows are committed: the client must not be told to retry (503) because of the bookkeeping.
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(failedAdds.get()).isGreaterThan(before);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE event_id = 'store-fail-http'",
                Long.class)).isEqualTo(2L);
    }
}
