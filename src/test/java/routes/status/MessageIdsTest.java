package routes.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import routes.pipeline.IngestExchange;

/** The message id rules of seed 003: the producer's id when given, else the SHA-256 of the body; never event_id. */
class MessageIdsTest {

    final DefaultCamelContext camel = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    Exchange message(String body) {
        Exchange message = new DefaultExchange(camel);
        message.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return message;
    }

    @Test
    void withoutAProducerIdTheIdIsTheSha256OfTheBodySoAByteIdenticalResendIsTheSameMessage() {
        String body = "{\"event_id\":\"e-1\",\"metrics\":[]}";
        assertThat(MessageIds.of(message(body)))
                .isEqualTo(MessageIds.of(message(body)))
                .isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(sha256(body)))
                .doesNotContain("e-1");
        assertThat(MessageIds.of(message(body + " "))).isNotEqualTo(MessageIds.of(message(body)));
    }

    static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theProducersIdComesFirstThenNatsMsgIdThenTheBodyField() {
        Exchange rabbit = message("{\"message_id\":\"from-body\"}");
        rabbit.setProperty(IngestExchange.MESSAGE_ID, "amqp-1");
        rabbit.getMessage().setHeader("Nats-Msg-Id", "nats-1");
        assertThat(MessageIds.of(rabbit)).isEqualTo("amqp-1");

        Exchange nats = message("{\"message_id\":\"from-body\"}");
        nats.getMessage().setHeader("Nats-Msg-Id", "nats-1");
        assertThat(MessageIds.of(nats)).isEqualTo("nats-1");

        assertThat(MessageIds.of(message("{\"event_id\":\"e\",\"message_id\":\"from-body\"}"))).isEqualTo("from-body");
    }

    @Test
    void aBodyFieldThatIsNotTextOrAnUnusableIdFallsBackToTheHash() {
        String number = "{\"message_id\":42}";
        assertThat(MessageIds.of(message(number))).startsWith("sha256:");
        Exchange control = message("{}");
        control.setProperty(IngestExchange.MESSAGE_ID, "bad\u0001id");
        assertThat(MessageIds.of(control)).startsWith("sha256:");
    }

    @Test
    void theReceivedBodyIsHashedNotTheParsedOne() throws Exception {
        Exchange validated = message("ignored");
        validated.setProperty(IngestExchange.ORIGINAL_BODY, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(MessageIds.of(validated)).isEqualTo(MessageIds.hash("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));

        Exchange http = new DefaultExchange(camel); // an event of an HTTP request: its compact JSON
        http.getMessage().setBody(new ObjectMapper().readTree("{ \"a\" : 1 }"));
        assertThat(MessageIds.of(http)).isEqualTo(MessageIds.hash("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
    }
}
