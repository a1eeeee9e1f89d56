package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.IngestApplication;
import routes.source.consumer.SourceConsumer;
import routes.support.TestDatabase;

/**
 * The NATS source's pull-loop pool against the local NATS: a preloaded backlog (the durable's pending
 * count) makes it grow to min(max, ceil(pending / threshold)), visible as ingest_workers{source="nats"},
 * and it shrinks back to min-consumers once the stream drained and the scale-down period passed.
 */
@SpringBootTest(classes = IngestApplication.class)
class NatsPoolScalingIT {

    static final String STREAM = "IT_NATS_POOL";
    static final String SUBJECT = "it.nats.pool.events";
    static final String DURABLE = "it_nats_pool";
    static final String DLQ_STREAM = "IT_NATS_POOL_DLQ";
    static final int EVENTS = 12_000;
    static final int METRICS = 3;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM, DLQ_STREAM);
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_nats_pool"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.nats.enabled", () -> "true");
        registry.add("ingest.sources.nats.url", () -> NatsTestSupport.URL);
        registry.add("ingest.sources.nats.stream", () -> STREAM);
        registry.add("ingest.sources.nats.subject", () -> SUBJECT);
        registry.add("ingest.sources.nats.durable", () -> DURABLE);
        registry.add("ingest.sources.nats.dlq-stream", () -> DLQ_STREAM);
        registry.add("ingest.sources.nats.dlq-subject", () -> "it.nats.pool.dlq");
        // min-consumers = concurrency = 1, max-consumers = 4 (set: the default would be 2)
        registry.add("ingest.sources.nats.concurrency", () -> "1");
        registry.add("ingest.sources.nats.max-consumers", () -> "4");
        registry.add("ingest.sources.nats.scale-threshold", () -> "1000");
        registry.add("ingest.sources.nats.scale-interval", () -> "100ms");
        registry.add("ingest.sources.nats.scale-down-after", () -> "1s");
        // Small pulls and few in flight, so the pending count falls over seconds rather than in one pull.
        registry.add("ingest.sources.nats.batch-size", () -> "100");
        registry.add("ingest.sources.nats.max-in-flight", () -> "500");
    }

    @Autowired
    CamelContext camel;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JdbcTemplate jdbc;

    double workers() {
        Gauge gauge = meters.find(SourceConsumer.WORKERS_GAUGE).tag("source", "nats").tag("queue", SUBJECT).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    @Test
    void aBacklogGrowsThePoolToItsTargetAndItShrinksOnceDrained() throws Exception {
        assertThat(workers()).as("min-consumers = concurrency").isEqualTo(1);
        camel.getRouteController().stopRoute("nats-source");
        try (Connection nats = NatsTestSupport.connect(NatsTestSupport.URL)) {
            JetStream jetStream = nats.jetStream();
            List<CompletableFuture<?>> acks = new ArrayList<>(EVENTS);
            UUID device = UUID.randomUUID();
            Instant start = Instant.parse("2026-11-20T00:00:00Z");
            for (int i = 0; i < EVENTS; i++) {
                acks.add(jetStream.publishAsync(SUBJECT,
                        NatsTestSupport.event("pool-" + i, device, start.plusSeconds(i), i)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        }
        camel.getRouteController().startRoute("nats-source");

        // ~12,000 pending / 1,000 per pull loop = 12, capped at max-consumers = 4.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> workers() == 4);
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM ingest_events", Long.class) == (long) EVENTS * METRICS);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> workers() == 1);
    }
}
