package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import routes.config.IngestProperties;

/**
 * The jetstream: consumer's pull loops against the real local NATS, without the app: how a pull's messages reach
 * the route. JetStream shares messages out between the loops' waiting pulls one by one, so a pull can end a
 * backlog short of its size with a last message that still saw others pending (they went to the other pull):
 * its messages go on once nothing more arrives, not when the pull expires.
 */
class JetStreamPullIT {

    private static final String STREAM = "IT_JETSTREAM_PULL";
    private static final String SUBJECT = "it.jetstream.pull";
    private static final String DURABLE = "it_jetstream_pull";
    /** Far longer than a round may take: a pull held until it expires fails the test. */
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ROUND_LIMIT = Duration.ofSeconds(5);

    private Connection nats;
    private DefaultCamelContext camel;
    private final AtomicInteger received = new AtomicInteger();

    @BeforeEach
    void setUp() throws Exception {
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM);
        nats = NatsTestSupport.connect(NatsTestSupport.URL);
        JetStreamTopology.ensureStream(nats, STREAM, SUBJECT, RetentionPolicy.WorkQueue, Duration.ofMinutes(2));
        camel = new DefaultCamelContext();
        camel.addComponent("jetstream", new JetStreamComponent(() -> NatsConnector.of(nats),
                new IngestProperties.Redelivery(5, Duration.ofMillis(200), 2.0, Duration.ofSeconds(10))));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("jetstream:" + STREAM + "?subject=" + SUBJECT + "&durable=" + DURABLE
                        + "&batchSize=500&concurrency=2&minConsumers=2&maxConsumers=2&fetchTimeout="
                        + FETCH_TIMEOUT.toSeconds() + "s")
                        .process(batch -> received.addAndGet(batch.getMessage().getBody(List.class).size()));
            }
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        camel.stop();
        nats.close();
        NatsTestSupport.deleteStreams(NatsTestSupport.URL, STREAM);
    }

    @Test
    void aBurstSharedOutBetweenTwoWaitingPullsReachesTheRouteWithoutWaitingForThePullsToExpire() throws Exception {
        camel.start();
        int burst = 1_500;
        // How the last messages are shared out depends on timing; ten rounds make a held pull all but certain.
        for (int round = 1; round <= 10; round++) {
            // Both loops' pulls wait on the empty stream; then a burst arrives and the server shares it out.
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingPulls() == 2);
            publish(burst);
            int expected = round * burst;
            await("round " + round).atMost(ROUND_LIMIT).until(() -> received.get() >= expected);
            assertThat(received.get()).isEqualTo(expected);
        }
        // Every message was acked once the route was done with it.
        await().atMost(Duration.ofSeconds(10)).until(() -> NatsTestSupport.messages(nats, STREAM) == 0);
    }

    private void publish(int messages) throws Exception {
        JetStream jetStream = nats.jetStream();
        List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            acks.add(jetStream.publishAsync(SUBJECT, ("message " + i).getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    }

    private long waitingPulls() throws Exception {
        try {
            return nats.jetStreamManagement().getConsumerInfo(STREAM, DURABLE).getNumWaiting();
        } catch (JetStreamApiException e) {
            return 0; // the loops have not created the durable yet
        }
    }
}
