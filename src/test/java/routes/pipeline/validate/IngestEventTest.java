package routes.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The idempotency keys of CONTRACT §1: per row, and the message key built from them. */
class IngestEventTest {

    static final UUID DEVICE = UUID.fromString("0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11");
    static final String TS = "2026-11-22T11:15:30.25+01:00";

    static IngestEvent event(String eventId, String... parameters) {
        List<IngestEvent.Metric> metrics = java.util.Arrays.stream(parameters)
                .map(p -> new IngestEvent.Metric(p, 1, null, null)).toList();
        return new IngestEvent(eventId, DEVICE, "modbus", Instant.parse("2026-11-22T10:15:30.250Z"), TS, null, metrics);
    }

    @Test
    void rowKeyIsEventIdAndParameterElseDeviceTimestampAsSentAndParameter() {
        assertThat(event("e-42", "voltage").rowKey("voltage")).isEqualTo("e-42:voltage");
        assertThat(event(null, "voltage").rowKey("voltage")).isEqualTo(DEVICE + ":" + TS + ":voltage");
    }

    @Test
    void aMessageOfOneParameterHasItsRowKey() {
        assertThat(event("e-42", "voltage").messageKey()).isEqualTo("e-42:voltage");
        assertThat(event(null, "current").messageKey()).isEqualTo(DEVICE + ":" + TS + ":current");
        assertThat(event("e-42", "voltage", "voltage").messageKey()).isEqualTo("e-42:voltage");
    }

    @Test
    void messagesOfDifferentParametersAtOneInstantOrSharingAnEventIdHaveDifferentKeys() {
        assertThat(event(null, "voltage").messageKey()).isNotEqualTo(event(null, "current").messageKey());
        assertThat(event("e-1", "voltage").messageKey()).isNotEqualTo(event("e-1", "current").messageKey());
        assertThat(event("e-1", "voltage", "current").messageKey())
                .isNotEqualTo(event("e-1", "voltage").messageKey())
                .isNotEqualTo(event("e-1", "voltage", "current", "power").messageKey());
    }

    @Test
    void theMessageKeyDependsOnTheSetOfRowKeysOnly() {
        assertThat(event("e-1", "voltage", "current").messageKey())
                .isEqualTo(event("e-1", "current", "voltage").messageKey())
                .isEqualTo(event("e-1", "current", "voltage", "current").messageKey())
                .startsWith("e-1:2@");
        // Parameter keys may hold any separator: {"a,b"} + {"c"} is not {"a", "b,c"}.
        assertThat(event("e-1", "a,b", "c").messageKey()).isNotEqualTo(event("e-1", "a", "b,c").messageKey());
        assertThat(event("e-1", "a:b", "c").messageKey()).isNotEqualTo(event("e-1", "a", "b:c").messageKey());
    }
}
