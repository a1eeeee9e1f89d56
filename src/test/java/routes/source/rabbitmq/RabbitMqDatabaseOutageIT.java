package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;

/**
 * PostgreSQL unavailable while RabbitMQ delivers: the app's database refuses connections and its
 * sessions are terminated (as in a restart), so nothing commits. No message may be acked or
 * dead-lettered meanwhile; once the database is back every event lands exactly once.
 */
@SpringBootTest(classes = IngestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RabbitMqDatabaseOutageIT {

    static final String DATABASE = "it_rabbitmq_outage";
    static final String QUEUE = "it.rabbitmq.outage.q";
    static final String DLX = "it.rabbitmq.outage.dlx";
    static final String DLQ = "it.rabbitmq.outage.dlq";
    static final RabbitMqTestBroker broker = new RabbitMqTestBroker();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        broker.sourceProperties(registry, DATABASE, QUEUE, DLX, DLQ);
        registry.add("spring.datasource.hikari.connection-timeout", () -> "1000");
        registry.add("ingest.sources.http.enabled", () -> "false");
        registry.add("ingest.redelivery.initial-delay", () -> "50ms");
        registry.add("ingest.redelivery.max-delay", () -> "500ms");
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    RabbitMqAcknowledger acknowledger;

    @AfterAll
    static void close() throws Exception {
        database(true);
        broker.close();
    }

    static void database(boolean available) throws Exception {
        TestDatabase.acceptConnections(DATABASE, available);
    }

    @Test
    void nothingIsAckedWhileTheDatabaseIsDownAndEverythingLandsOnceItIsBack() throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        UUID device = UUID.randomUUID();
        for (int i = 0; i < 2000; i++) {
            bodies.add(RabbitMqTestBroker.event("outage-" + i, device, i, 3));
        }

        database(false);
        broker.publish(QUEUE, bodies);

        // In-process retries end, the deliveries are nacked back, redelivered, fail again...
        await().atMost(Duration.ofSeconds(90)).until(() -> acknowledger.nacked() > 0);
        // ... and meanwhile none was acked or dead-lettered: the broker still holds every message.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30))
                .until(() -> broker.readyAndUnacked(QUEUE) == 2000);

        database(true);

        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .until(() -> jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class) == 6000);
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(6000);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
        assertThat(broker.ready(DLQ)).isZero();
    }
}
