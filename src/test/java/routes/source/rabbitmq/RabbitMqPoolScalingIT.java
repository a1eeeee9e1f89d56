package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.source.consumer.SourceConsumer;

/**
 * The RabbitMQ source's consumer pool, Spring AMQP's container scaling, against the local RabbitMQ: a
 * preloaded backlog keeps the consumers busy, so the container adds consumers (one per scale-interval)
 * up to max-consumers, visible as ingest_workers{source="rabbitmq"} and on the broker; once the queue
 * drained, the added consumers go idle and stop, back to min-consumers. Intervals are short here; in
 * production one consumer is added at most every 10 s.
 */
@SpringBootTest(classes = IngestApplication.class)
class RabbitMqPoolScalingIT {

    static final String QUEUE = "it.rabbitmq.pool.q";
    static final String DLX = "it.rabbitmq.pool.dlx";
    static final String DLQ = "it.rabbitmq.pool.dlq";
    static final int EVENTS = 12_000;
    static final int METRICS = 1;
    static final RabbitMqTestBroker broker = new RabbitMqTestBroker();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        broker.sourceProperties(registry, "it_rabbitmq_pool", QUEUE, DLX, DLQ);
        // min-consumers = concurrency = 1, max-consumers = 3 (set: the default would be 2)
        registry.add("ingest.sources.rabbitmq.concurrency", () -> "1");
        registry.add("ingest.sources.rabbitmq.max-consumers", () -> "3");
        registry.add("ingest.sources.rabbitmq.scale-interval", () -> "200ms");
        registry.add("ingest.sources.rabbitmq.scale-down-after", () -> "500ms");
        // Small batches, so a consumer makes many busy receives in a row while the backlog lasts.
        registry.add("ingest.sources.rabbitmq.batch-size", () -> "20");
        registry.add("ingest.sources.rabbitmq.prefetch", () -> "100");
    }

    @AfterAll
    static void close() {
        broker.close();
    }

    @Autowired
    CamelContext camel;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JdbcTemplate jdbc;

    double workers() {
        Gauge gauge = meters.find(SourceConsumer.WORKERS_GAUGE).tag("source", "rabbitmq").tag("queue", QUEUE).gauge();
        return gauge == null ? -1 : gauge.value();
    }

    @Test
    void aBacklogMakesTheContainerAddConsumersAndTheyStopOnceDrained() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> workers() == 1);
        camel.getRouteController().stopRoute(RabbitMqSourceConfiguration.ROUTE_ID);
        assertThat(workers()).as("a stopped route has no consumers").isZero();
        List<byte[]> bodies = new ArrayList<>(EVENTS);
        UUID device = UUID.randomUUID();
        for (int i = 0; i < EVENTS; i++) {
            bodies.add(RabbitMqTestBroker.event("pool-" + i, device, i, METRICS));
        }
        broker.publish(QUEUE, bodies);
        camel.getRouteController().startRoute(RabbitMqSourceConfiguration.ROUTE_ID);

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> workers() == 3);
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM ingest_events", Long.class) == (long) EVENTS * METRICS);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> workers() == 1);
        assertThat(broker.readyAndUnacked(QUEUE)).isZero();
    }
}
