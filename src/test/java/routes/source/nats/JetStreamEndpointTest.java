package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import routes.config.IngestProperties;

/** The jetstream: URI options, without a NATS server. */
class JetStreamEndpointTest {

    private DefaultCamelContext camel;

    @BeforeEach
    void setUp() {
        camel = new DefaultCamelContext();
        camel.addComponent("jetstream", new JetStreamComponent(() -> null,
                new IngestProperties.Redelivery(5, Duration.ofMillis(200), 2.0, Duration.ofSeconds(10))));
        camel.start();
    }

    @AfterEach
    void tearDown() {
        camel.stop();
    }

    @Test
    void uriOptionsBindToTheEndpoint() {
        JetStreamEndpoint endpoint = camel.getEndpoint("jetstream:INGRESS?subject=ingress.events&durable=ingest_workers"
                + "&batchSize=250&maxAckPending=999&maxInFlight=77&concurrency=3&ackWait=45s&maxDeliver=7&fetchTimeout=2s"
                + "&partialBatchAfter=30ms",
                JetStreamEndpoint.class);
        assertThat(endpoint.getStream()).isEqualTo("INGRESS");
        assertThat(endpoint.getSubject()).isEqualTo("ingress.events");
        assertThat(endpoint.getDurable()).isEqualTo("ingest_workers");
        assertThat(endpoint.getBatchSize()).isEqualTo(250);
        assertThat(endpoint.getMaxAckPending()).isEqualTo(999);
        assertThat(endpoint.getMaxInFlight()).isEqualTo(77);
        assertThat(endpoint.getConcurrency()).isEqualTo(3);
        assertThat(endpoint.getAckWait()).isEqualTo(Duration.ofSeconds(45));
        assertThat(endpoint.getMaxDeliver()).isEqualTo(7);
        assertThat(endpoint.getFetchTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(endpoint.getPartialBatchAfter()).isEqualTo(Duration.ofMillis(30));
        assertThat(endpoint.durableSpec()).isEqualTo(new JetStreamTopology.DurableSpec("INGRESS", "ingress.events",
                "ingest_workers", Duration.ofSeconds(45), 999));
    }

    @Test
    void poolOptionsBindToThePoolTheConsumerGets() {
        JetStreamEndpoint endpoint = camel.getEndpoint("jetstream:INGRESS?subject=s&durable=d&concurrency=3"
                + "&minConsumers=2&maxConsumers=6&scaleThreshold=50&scaleInterval=100ms&scaleDownAfter=1s",
                JetStreamEndpoint.class);
        assertThat(endpoint.pool().min(endpoint.getConcurrency())).isEqualTo(2);
        assertThat(endpoint.pool().max(endpoint.getConcurrency())).isEqualTo(6);
        assertThat(endpoint.pool().getScaleThreshold()).isEqualTo(50);
        assertThat(endpoint.pool().getScaleInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(endpoint.pool().getScaleDownAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> camel.getEndpoint("jetstream:INGRESS?subject=s&durable=d&scaleThreshold=0"))
                .hasStackTraceContaining("scaleThreshold must be at least 1");
    }

    @Test
    void aConsumerNeedsSubjectDurableAndASensiblePullExpiry() {
        JetStreamEndpoint noDurable = camel.getEndpoint("jetstream:S?subject=s", JetStreamEndpoint.class);
        assertThatThrownBy(() -> noDurable.createConsumer(exchange -> { }))
                .hasMessageContaining("durable");
        JetStreamEndpoint tooShort = camel.getEndpoint("jetstream:S?subject=s&durable=d&fetchTimeout=50ms",
                JetStreamEndpoint.class);
        assertThatThrownBy(() -> tooShort.createConsumer(exchange -> { }))
                .hasMessageContaining("at least 100ms");
        JetStreamEndpoint idleTooLong = camel.getEndpoint("jetstream:S?subject=s&durable=d&fetchTimeout=1s"
                + "&partialBatchAfter=1s", JetStreamEndpoint.class);
        assertThatThrownBy(() -> idleTooLong.createConsumer(exchange -> { }))
                .hasMessageContaining("partialBatchAfter must be above 0 and below fetchTimeout");
    }

    @Test
    void startingAConsumerWithoutNatsConfiguredSaysHowToEnableIt() throws Exception {
        JetStreamEndpoint endpoint = camel.getEndpoint("jetstream:S?subject=s&durable=d", JetStreamEndpoint.class);
        var consumer = endpoint.createConsumer(exchange -> { });
        assertThatThrownBy(consumer::start).hasMessageContaining("ingest.sources.nats.enabled=true");
    }

    @Test
    void thereIsNoProducer() {
        JetStreamEndpoint endpoint = camel.getEndpoint("jetstream:S?subject=s&durable=d", JetStreamEndpoint.class);
        assertThatThrownBy(endpoint::createProducer).isInstanceOf(UnsupportedOperationException.class);
    }
}
