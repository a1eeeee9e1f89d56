package routes.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DeliveryMessageTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void producerEntryKeepsItsIdAndPayload() {
        DeliveryMessage m = DeliveryMessage.parse(mapper, "{\"message_id\":\"m-1\",\"payload\":{\"a\":[1,2]}}");
        assertThat(m.messageId()).isEqualTo("m-1");
        assertThat(m.payload().get("a").get(1).asInt()).isEqualTo(2);
        assertThat(m.attempts()).isZero();
    }

    @Test
    void failedAttemptRoundTripsWithOneMoreAttemptAndTheError() {
        DeliveryMessage m = DeliveryMessage.parse(mapper, "{\"message_id\":\"m-2\",\"payload\":\"text\"}");
        String parked = m.failed("HTTP 503", 1234L).toJson(mapper);

        DeliveryMessage again = DeliveryMessage.parse(mapper, parked);
        assertThat(again.messageId()).isEqualTo("m-2");
        assertThat(again.payload().asText()).isEqualTo("text");
        assertThat(again.attempts()).isEqualTo(1);
        assertThat(again.enqueuedAt()).isEqualTo(1234L);
        assertThat(again.lastError()).isEqualTo("HTTP 503");
    }

    @Test
    void bodyWithoutMessageIdIsThePayloadWithAStableId() {
        DeliveryMessage first = DeliveryMessage.parse(mapper, "not json at all");
        DeliveryMessage second = DeliveryMessage.parse(mapper, "not json at all");
        assertThat(first.messageId()).isEqualTo(second.messageId());
        assertThat(first.payload().asText()).isEqualTo("not json at all");

        DeliveryMessage object = DeliveryMessage.parse(mapper, "{\"x\":1}");
        assertThat(object.payload().get("x").asInt()).isEqualTo(1);
    }

    @Test
    void deliveryBodyHasTheSeedShape() throws Exception {
        DeliveryMessage m = DeliveryMessage.parse(mapper,
                "{\"message_id\":\"m-3\",\"payload\":{\"k\":\"v\"},\"attempts\":7}");
        JsonNode body = mapper.readTree(m.deliveryBody(mapper, "w-1"));
        assertThat(body.fieldNames()).toIterable().containsExactly("message_id", "worker_id", "payload");
        assertThat(body.get("worker_id").asText()).isEqualTo("w-1");
        assertThat(body.get("payload").get("k").asText()).isEqualTo("v");
    }
}
