package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import routes.pipeline.validate.EventParser;

/** The Redis entry, enqueue-time and dead-letter formats, and the endpoint's URI options; no Redis. */
class RedisQueueFormatsTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void rawProducerMessageHasNoPriorDeliveries() {
        QueueEntry entry = QueueEntry.parse(utf8("{\"device_id\":\"x\"}"));
        assertThat(entry.deliveries()).isZero();
        assertThat(entry.payload()).isEqualTo(utf8("{\"device_id\":\"x\"}"));
    }

    @Test
    void requeuedEntryKeepsPayloadExactlyAndCountsDeliveries() {
        byte[] payload = utf8("{\"a\":\"x|y\",\"b\":\"ir1|9|9|\"}");
        QueueEntry entry = QueueEntry.parse(QueueEntry.requeued(4, payload));
        assertThat(entry.deliveries()).isEqualTo(4);
        assertThat(entry.takenAt()).isZero();
        assertThat(entry.payload()).isEqualTo(payload);
        QueueEntry taken = QueueEntry.parse(utf8("ir1|1763856000123|2|" + new String(payload, StandardCharsets.UTF_8)));
        assertThat(taken.takenAt()).isEqualTo(1763856000123L);
        assertThat(taken.deliveries()).isEqualTo(2);
        assertThat(taken.payload()).isEqualTo(payload);
    }

    @Test
    void payloadThatIsNotUtf8StaysTheExactBytes() {
        byte[] payload = {(byte) 0xff, (byte) 0xfe, '{', (byte) 0xc3, '(', '}'};
        byte[] requeued = QueueEntry.requeued(1, payload);
        QueueEntry entry = QueueEntry.parse(requeued);
        assertThat(entry.payload()).isEqualTo(payload);
        assertThat(entry.raw()).isEqualTo(requeued);
        assertThat(QueueEntry.parse(payload).payload()).isEqualTo(payload);
    }

    @Test
    void malformedPrefixIsTreatedAsARawMessage() {
        QueueEntry entry = QueueEntry.parse(utf8("ir1|abc|2|{}"));
        assertThat(entry.deliveries()).isZero();
        assertThat(entry.payload()).isEqualTo(utf8("ir1|abc|2|{}"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void enqueuedAtIsReadFromTheMessageWhenPresent() {
        assertThat(EnqueuedAt.of("{\"enqueued_at\": 1763856000123, \"device_id\": \"x\"}")).isEqualTo(1763856000123L);
        assertThat(EnqueuedAt.of("{\"device_id\": \"x\"}")).isNull();
        assertThat(EnqueuedAt.of("{\"enqueued_at\": \"yesterday\"}")).isNull();
    }

    @Test
    void deadLetterWrapperCarriesTheOriginalBodyUnchangedAndTheHeaders() throws Exception {
        String body = "{\"weird\": \"\\u00e9 \\\" / \\n\", \"n\": 1.50}";
        byte[] wrapped = RedisSource.deadLetter(mapper, body.getBytes(StandardCharsets.UTF_8),
                Map.of("x-error-type", "json", "x-attempts", "1"));
        JsonNode node = mapper.readTree(wrapped);
        assertThat(node.get("payload").asText()).isEqualTo(body);
        assertThat(node.at("/headers/x-error-type").asText()).isEqualTo("json");
        assertThat(node.at("/headers/x-attempts").asText()).isEqualTo("1");
    }

    @Test
    void aDeadLetterOverTheSizeLimitTravelsWholeWithEveryKindOfCharacter() throws Exception {
        String body = "{\"s\": \"\u0001\t\\\" é € 😀 \u2028\", \"pad\": \"" + "x".repeat(EventParser.MAX_MESSAGE_BYTES)
                + "\", \"raw\": \"\u001f\"}";
        JsonNode node = mapper.readTree(RedisSource.deadLetter(mapper, body.getBytes(StandardCharsets.UTF_8),
                Map.of("x-error-type", "too_large")));
        assertThat(node.get("payload").asText()).isEqualTo(body);
        assertThat(node.at("/headers/x-error-type").asText()).isEqualTo("too_large");
    }

    /** The field after fields of every length (the scan skips eight bytes without a quote at a time), and near misses. */
    @Test
    void enqueuedAtIsFoundAtAnyOffset() {
        for (int pad = 0; pad < 40; pad++) {
            String before = "{\"pad\": \"" + "x".repeat(pad) + "\", ";
            assertThat(EnqueuedAt.of(before + "\"enqueued_at\": 1763856000123}")).as("pad %d", pad).isEqualTo(1763856000123L);
            assertThat(EnqueuedAt.of(before + "\"enqueued_a\": 1, \"enqueued_at_\": 2}")).as("pad %d", pad).isNull();
            assertThat(EnqueuedAt.of(before + "\"\"enqueued_at\":7}")).as("pad %d", pad).isEqualTo(7L);
        }
    }

    @Test
    void enqueuedAtIsNotLookedForInAMessageOverTheSizeLimit() {
        byte[] big = ("{\"enqueued_at\": 1763856000123, \"pad\": \"" + "x".repeat(EventParser.MAX_MESSAGE_BYTES) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(EnqueuedAt.of(big)).isNull();
    }

    @Test
    void deadLetterOfBytesThatAreNotTextTravelsAsBase64() throws Exception {
        byte[] body = {(byte) 0xff, 0x00, 0x41};
        JsonNode node = mapper.readTree(RedisSource.deadLetter(mapper, body, Map.of()));
        assertThat(node.has("payload")).isFalse();
        assertThat(Base64.getDecoder().decode(node.get("payload_base64").asText())).isEqualTo(body);
    }

    @Test
    void endpointReadsItsOptionsFromTheUri() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            RedisQueueComponent component = new RedisQueueComponent(null,
                    new routes.config.IngestProperties(null, null, null, null, null),
                    new org.springframework.beans.factory.support.StaticListableBeanFactory().getBeanProvider(RecoveryGate.class));
            camel.addComponent(RedisQueueComponent.NAME, component);
            RedisQueueEndpoint endpoint = camel.getEndpoint(
                    "redis-queue:q1?mode=stream&concurrency=3&batchSize=50&visibilityTimeout=1m30s&group=g",
                    RedisQueueEndpoint.class);
            assertThat(endpoint.getKey()).isEqualTo("q1");
            assertThat(endpoint.getMode()).isEqualTo("stream");
            assertThat(endpoint.getConcurrency()).isEqualTo(3);
            assertThat(endpoint.getBatchSize()).isEqualTo(50);
            assertThat(endpoint.visibilityTimeoutMillis()).isEqualTo(90_000);
            assertThat(endpoint.getGroup()).isEqualTo("g");
            assertThat(endpoint.getProcessingList()).isEqualTo("q1:processing");
            assertThat(endpoint.getDelayedSet()).isEqualTo("q1:delayed");
        }
    }
}
