package routes.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import routes.pipeline.IngestExchange;
import routes.source.nats.JetStreamConsumer;

/** A dead letter's identity: the same for every delivery of one message, another for another message. */
class DeadLetterIdentityTest {

    private static final byte[] BODY = "not json".getBytes(StandardCharsets.UTF_8);
    private final DefaultCamelContext camel = new DefaultCamelContext();

    @Test
    void everyDeliveryOfOneMessageHasOneIdentity() {
        assertThat(id(nats(7), "nats")).isEqualTo(id(nats(7), "nats")).startsWith("nats:").hasSize("nats:".length() + 32);
        assertThat(id(nats(7), "nats")).isNotEqualTo(id(nats(8), "nats"));
        assertThat(id(rabbit("m-1"), "rabbitmq")).isEqualTo(id(rabbit("m-1"), "rabbitmq"))
                .isNotEqualTo(id(rabbit("m-2"), "rabbitmq"));
        // No identity of its own (Redis, RabbitMQ without message id): the body.
        assertThat(id(new DefaultExchange(camel), "redis")).isEqualTo(id(new DefaultExchange(camel), "redis"));
        assertThat(DeadLetterIdentity.of("redis", "q", null, BODY))
                .isNotEqualTo(DeadLetterIdentity.of("redis", "q", null, "other".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(DeadLetterIdentity.of("redis", "other-q", null, BODY));
    }

    @Test
    void aReplayCarriesTheIdentityOfItsDeadLetter() {
        Exchange replay = nats(99);
        replay.getMessage().setHeader(DeadLetterHeaders.DEAD_LETTER_ID, "nats:0123456789abcdef0123456789abcdef");
        assertThat(id(replay, "nats")).isEqualTo("nats:0123456789abcdef0123456789abcdef");
        Exchange direct = new DefaultExchange(camel);
        direct.setProperty(IngestExchange.DEAD_LETTER_IDENTITY, "http:row:12");
        assertThat(id(direct, "http")).isEqualTo("http:row:12");
        Exchange forged = nats(5);
        forged.getMessage().setHeader(DeadLetterHeaders.DEAD_LETTER_ID, "not\nours");
        assertThat(id(forged, "nats")).isEqualTo(id(nats(5), "nats"));
    }

    private String id(Exchange exchange, String source) {
        return DeadLetterIdentity.of(exchange, source, "q", BODY);
    }

    private Exchange nats(long sequence) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader(JetStreamConsumer.STREAM_SEQUENCE, sequence);
        return exchange;
    }

    private Exchange rabbit(String messageId) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(IngestExchange.MESSAGE_ID, messageId);
        return exchange;
    }
}
