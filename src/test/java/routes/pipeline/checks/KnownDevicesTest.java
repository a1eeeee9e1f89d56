package routes.pipeline.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import routes.pipeline.ErrorType;
import routes.pipeline.validate.IngestEvent;
import routes.pipeline.IngestExchange;
import routes.pipeline.StepFailedException;
import routes.pipeline.StepRejectedException;

/** The cache and check of the known-devices step, without Camel routes or a database. */
class KnownDevicesTest {

    static final UUID KNOWN = UUID.fromString("0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11");
    final KnownDevices known = new KnownDevices();

    static Exchange message(UUID device, String... parameters) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        List<IngestEvent.Metric> metrics = java.util.Arrays.stream(parameters)
                .map(p -> new IngestEvent.Metric(p, 1.0, null, null)).toList();
        exchange.setProperty(IngestExchange.EVENT, new IngestEvent(null, device, null, Instant.EPOCH,
                "1970-01-01T00:00:00Z", null, metrics));
        return exchange;
    }

    void loadDefaults() {
        // A text column may hold a UUID in upper case; the parameter key compares exactly.
        known.load(List.of(Map.of("id", KNOWN.toString().toUpperCase())),
                List.of(Map.of("key", "voltage"), Map.of("key", "current")));
    }

    @Test
    void aKnownDeviceWithKnownParametersPasses() {
        loadDefaults();
        assertThatCode(() -> known.check(message(KNOWN, "voltage", "current"))).doesNotThrowAnyException();
    }

    @Test
    void anUnknownDeviceIsRejectedAsUnknownDeviceNamingIt() {
        loadDefaults();
        UUID stranger = UUID.randomUUID();
        assertThatThrownBy(() -> known.check(message(stranger, "voltage")))
                .isInstanceOfSatisfying(StepRejectedException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorType.UNKNOWN_DEVICE))
                .hasMessage("unknown device " + stranger);
    }

    @Test
    void unknownParametersAreRejectedAsUnknownParameterNamingEachOnce() {
        loadDefaults();
        assertThatThrownBy(() -> known.check(message(KNOWN, "voltage", "Voltage", "power", "Voltage")))
                .isInstanceOfSatisfying(StepRejectedException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorType.UNKNOWN_PARAMETER))
                .hasMessage("unknown parameters Voltage, power (device " + KNOWN + ")");
    }

    @Test
    void aLoadReplacesTheCacheWhole() {
        loadDefaults();
        UUID added = UUID.randomUUID();
        known.load(List.of(Map.of("id", added)), List.of(Map.of("key", "power")));
        assertThatCode(() -> known.check(message(added, "power"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> known.check(message(KNOWN, "power"))).isInstanceOf(StepRejectedException.class);
        assertThatThrownBy(() -> known.check(message(added, "voltage"))).isInstanceOf(StepRejectedException.class);
    }

    @Test
    void beforeTheFirstLoadItIsNotLoadedAndTheCheckFailsRatherThanPassing() {
        assertThat(known.loaded()).isFalse();
        assertThatThrownBy(() -> known.check(message(KNOWN, "voltage"))).isInstanceOf(IllegalStateException.class);
        loadDefaults();
        assertThat(known.loaded()).isTrue();
    }

    @Test
    void aStepFailureKeepsTheErrorTypeOfARejectionAnywhereInItsCausesElseStep() {
        StepRejectedException rejected = new StepRejectedException("unknown_device", "unknown device x");
        assertThat(new StepFailedException("known-devices", rejected).errorType()).isEqualTo(ErrorType.UNKNOWN_DEVICE);
        assertThat(new StepFailedException("known-devices", new RuntimeException("wrapped", rejected)).errorType())
                .isEqualTo(ErrorType.UNKNOWN_DEVICE);
        assertThat(new StepFailedException("known-devices", rejected).getMessage())
                .isEqualTo("step known-devices failed: unknown device x");
        assertThat(new StepFailedException("acme", new IllegalStateException("boom")).errorType()).isEqualTo(ErrorType.STEP);
        assertThatThrownBy(() -> new StepRejectedException("unknown_thing", "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
