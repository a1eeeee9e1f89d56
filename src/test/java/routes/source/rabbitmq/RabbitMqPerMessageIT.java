package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.support.StatsInvariant;

/**
 * {@code ingest.sources.rabbitmq.batching=false}: the route's endpoint is then exactly camel-spring-rabbitmq's,
 * one exchange per message through {@code direct:ingest}; duplicates still land once and invalid messages
 * are still dead-lettered, each acked by its own outcome.
 */
@SpringBootTest(classes = IngestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RabbitMqPerMessageIT {

    static final String QUEUE = "it.rabbitmq.permessage.q";
    static final String DLX = "it.rabbitmq.permessage.dlx";
    static final String DLQ = "it.rabbitmq.permessage.dlq";
    static final String DATABASE = "it_rabbitmq_per_message";
    static final RabbitMqTestBroker broker = new RabbitMqTestBroker();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        broker.sourceProperties(registry, DATABASE, QUEUE, DLX, DLQ);
        registry.add("ingest.sources.http.enabled", () -> "false");
        registry.add("ingest.sources.rabbitmq.batching", () -> "false");
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    MeterRegistry meters;

    @AfterAll
    static void close() {
        broker.close();
    }

    @BeforeEach
    void empty() {
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        jdbc.execute("TRUNCATE ingest_events, daily_stats, dead_letters");
        broker.drain(DLQ);
    }

    long count(String sql) {
        return jdbc.queryForObject(sql, Long.class);
    }

    @Test
    void eachMessageIsItsOwnExchangeAndDuplicatesAndInvalidOnesAreHandledAsInBatches() {
        Counter before = meters.find("camel.exchanges.total").tag("routeId", RabbitMqSourceConfiguration.ROUTE_ID).counter();
        double exchangesBefore = before == null ? 0 : before.count();
        List<byte[]> bodies = new java.util.ArrayList<>(RabbitMqSourceIT.eventsWithDuplicates("per-message-", 500, 3));
        bodies.add("not json".getBytes(StandardCharsets.UTF_8));

        broker.publish(QUEUE, bodies);

        await().atMost(Duration.ofSeconds(60))
                .until(() -> count("SELECT count(*) FROM ingest_events") == 1_500
                        && count("SELECT count(*) FROM dead_letters") == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        assertThat(count("SELECT sum(sample_count) FROM daily_stats")).isEqualTo(1_500);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.ready(DLQ) == 1);
        Counter routeExchanges = meters.find("camel.exchanges.total")
                .tag("routeId", RabbitMqSourceConfiguration.ROUTE_ID).counter();
        assertThat(routeExchanges).isNotNull();
        assertThat(routeExchanges.count() - exchangesBefore).isEqualTo(bodies.size());
    }

    @Test
    void oneMessagePerParameterAtOneInstantOrSharingAnEventIdLandsEveryRowThroughTheIdempotentConsumer() {
        RabbitMqSourceIT.perParameterMessagesLandEveryRow(broker, QUEUE, jdbc, meters, "shared-per-message");
    }
}
