package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import routes.pipeline.commit.BatchFailedException;
import routes.pipeline.commit.DatabaseUnavailableException;
import routes.pipeline.split.MetricRow;
import routes.pipeline.validate.InvalidMessageException;

/**
 * The pipeline route with its database parts advised away (no service needed): what reaches the
 * batch step, what reaches the dead letters, and how many attempts a failing message gets under the
 * YAML error policy (routeConfiguration commit-retries). The batch unit's commit is advised to fail,
 * so that every message takes route commit-retry, whose write step is the mock.
 */
@CamelSpringBootTest
@UseAdviceWith
@SpringBootTest(properties = {
    "ingest.embedded-db.enabled=false",
    "spring.flyway.enabled=false",
    "spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none",
    "ingest.redelivery.initial-delay=1ms",
    "ingest.redelivery.max-delay=5ms",
    "ingest.sources.http.enabled=false"
})
class IngestRouteTest {

    @Autowired
    CamelContext camel;
    @Autowired
    ProducerTemplate producer;

    static final AtomicInteger writeAttempts = new AtomicInteger();
    static volatile RuntimeException writeFailure;

    @BeforeEach
    void advise() throws Exception {
        if (camel.isStarted()) {
            return;
        }
        AdviceWith.adviceWith(camel, "ingest", route -> route.weaveById("commit").replace().process(batch -> {
            for (Exchange message : MessageBatch.pending(batch)) {
                message.setProperty(IngestExchange.COMMIT_FAILED, new BatchFailedException(new RuntimeException("unit")));
            }
        }));
        AdviceWith.adviceWith(camel, "commit-retry", route -> route.weaveById("batch").replace().process(exchange -> {
            writeAttempts.incrementAndGet();
            if (writeFailure != null) {
                throw writeFailure;
            }
        }).to("mock:batch"));
        AdviceWith.adviceWith(camel, "dead-letter", route -> route.weaveAddFirst().to("mock:direct:dead-letter").stop());
        camel.start();
    }

    @BeforeEach
    void reset() {
        MockEndpoint.resetMocks(camel);
        writeAttempts.set(0);
        writeFailure = null;
    }

    Exchange send(String body, Map<String, Object> properties) {
        return producer.send("direct:ingest", exchange -> {
            exchange.setProperty(IngestExchange.SOURCE, "unit");
            properties.forEach(exchange::setProperty);
            exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        });
    }

    static String event(String id) {
        return "{\"event_id\":\"" + id + "\",\"device_id\":\"0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11\","
                + "\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"a\",\"value\":1},"
                + "{\"parameter_key\":\"b\",\"value\":2},{\"parameter_key\":\"c\",\"value\":3}]}";
    }

    @Test
    void aValidEventReachesTheBatchAsOneRowPerMetric() throws Exception {
        MockEndpoint batch = camel.getEndpoint("mock:batch", MockEndpoint.class);
        batch.expectedMessageCount(1);
        send(event("unit-1"), Map.of());
        batch.assertIsSatisfied();
        List<?> rows = batch.getReceivedExchanges().get(0).getMessage().getBody(List.class);
        assertThat(rows).hasSize(3).allSatisfy(r -> assertThat(r).isInstanceOf(MetricRow.class));
    }

    @Test
    void anEventSeenCommittedBeforeIsSkippedByTheIdempotentConsumer() throws Exception {
        MockEndpoint batch = camel.getEndpoint("mock:batch", MockEndpoint.class);
        batch.expectedMessageCount(1);
        send(event("unit-dup"), Map.of());
        Exchange second = send(event("unit-dup"), Map.of());
        batch.assertIsSatisfied();
        assertThat(MessageBatch.outcome(second)).isEqualTo(MessageOutcome.DUPLICATE);
    }

    @Test
    void anInvalidMessageGoesToTheDeadLettersWithoutReachingTheBatch() throws Exception {
        MockEndpoint deadLetters = camel.getEndpoint("mock:direct:dead-letter", MockEndpoint.class);
        deadLetters.expectedMessageCount(1);
        send("{\"device_id\":1}", Map.of());
        deadLetters.assertIsSatisfied();
        assertThat(writeAttempts).hasValue(0);
        List<Exchange> batch = MessageBatch.messages(deadLetters.getReceivedExchanges().get(0));
        assertThat(batch).as("the batch's failed messages, together").hasSize(1);
        Exchange parked = batch.get(0);
        assertThat(parked.getProperty(Exchange.EXCEPTION_CAUGHT)).isInstanceOf(InvalidMessageException.class);
        assertThat(parked.getMessage().getBody(String.class)).as("the original body").isEqualTo("{\"device_id\":1}");
        assertThat(MessageBatch.outcome(parked)).as("settled once parked").isEqualTo(MessageOutcome.DEAD_LETTERED);
        assertThat(parked.getException()).isNull();
    }

    @Test
    void aFailingWriteIsAttemptedFiveTimesThenDeadLettered() throws Exception {
        writeFailure = new BatchFailedException(new RuntimeException("boom"));
        MockEndpoint deadLetters = camel.getEndpoint("mock:direct:dead-letter", MockEndpoint.class);
        deadLetters.expectedMessageCount(1);
        Exchange result = send(event("unit-fail"), Map.of());
        deadLetters.assertIsSatisfied();
        assertThat(writeAttempts).hasValue(5);
        assertThat(result.getException()).isNull();
        byte[] original = deadLetters.getReceivedExchanges().get(0).getProperty(IngestExchange.ORIGINAL_BODY, byte[].class);
        assertThat(new String(original, StandardCharsets.UTF_8)).as("the original body, for the recorder")
                .isEqualTo(event("unit-fail"));
    }

    @Test
    void eachMessageOfABatchEndsWithItsOwnOutcome() throws Exception {
        MockEndpoint batch = camel.getEndpoint("mock:batch", MockEndpoint.class);
        batch.expectedMessageCount(2);
        MockEndpoint deadLetters = camel.getEndpoint("mock:direct:dead-letter", MockEndpoint.class);
        deadLetters.expectedMessageCount(1);
        List<Exchange> messages = new java.util.ArrayList<>();
        for (String body : List.of(event("batch-1"), "[]", event("batch-2"), event("batch-1"), "not json")) {
            Exchange message = new org.apache.camel.support.DefaultExchange(camel);
            message.setProperty(IngestExchange.SOURCE, "unit");
            message.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
            messages.add(message);
        }
        Exchange result = producer.send("direct:ingest", exchange -> exchange.getMessage().setBody(messages));
        batch.assertIsSatisfied();
        deadLetters.assertIsSatisfied();
        assertThat(result.getException()).isNull();
        assertThat(messages).extracting(MessageBatch::outcome).containsExactly(MessageOutcome.COMMITTED,
                MessageOutcome.DEAD_LETTERED, MessageOutcome.COMMITTED, MessageOutcome.DUPLICATE,
                MessageOutcome.DEAD_LETTERED);
        assertThat(MessageBatch.messages(deadLetters.getReceivedExchanges().get(0)))
                .as("both invalid messages in one batch to the dead letters").containsExactly(messages.get(1), messages.get(4));
        assertThat(messages).allSatisfy(m -> assertThat(m.getException()).isNull());
    }

    @Test
    void aDatabaseOutageIsRetriedThenHandedBackToTheSourceNotDeadLettered() throws Exception {
        writeFailure = new DatabaseUnavailableException(new RuntimeException("connection refused"));
        MockEndpoint deadLetters = camel.getEndpoint("mock:direct:dead-letter", MockEndpoint.class);
        deadLetters.expectedMessageCount(0);
        Exchange result = send(event("unit-down"), Map.of());
        assertThat(result.getException()).isInstanceOf(DatabaseUnavailableException.class);
        assertThat(writeAttempts).hasValue(5);
        deadLetters.assertIsSatisfied();
    }

    @Test
    void aSourceThatRedeliversGetsOneAttemptPerDelivery() {
        writeFailure = new BatchFailedException(new RuntimeException("boom"));
        Exchange result = send(event("unit-nak"), Map.of(IngestExchange.RETRY_IN_PROCESS, false, IngestExchange.PRIOR_ATTEMPTS, 2));
        assertThat(result.getException()).isInstanceOf(BatchFailedException.class);
        assertThat(writeAttempts).hasValue(1);
    }
}
