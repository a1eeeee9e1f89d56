package routes.support;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The messages of issue 13's per-row case (CONTRACT §1): a gateway that sends one message per parameter at
 * the same instant without an event_id, and a producer that reuses one event_id for messages of different
 * parameters. Every one of their rows must land; sent again, every message is a duplicate.
 */
public final class PerParameterMessages {

    public static final List<String> PARAMETERS = List.of("voltage", "current", "power", "frequency", "temp", "cos_phi");
    /** Messages (and rows) of {@link #of}: one per parameter, twice. */
    public static final int COUNT = 2 * PARAMETERS.size();

    private PerParameterMessages() {
    }

    /**
     * One message per parameter at one instant with no event_id, then one per parameter sharing the event
     * id {@code eventId} at the next second; all of {@code device}.
     */
    public static List<String> of(UUID device, String eventId) {
        List<String> messages = new ArrayList<>(COUNT);
        for (int i = 0; i < PARAMETERS.size(); i++) {
            messages.add(message(null, device, "2026-11-23T08:00:00.500Z", PARAMETERS.get(i), 100 + i));
        }
        for (int i = 0; i < PARAMETERS.size(); i++) {
            messages.add(message(eventId, device, "2026-11-23T08:00:01.500Z", PARAMETERS.get(i), 200 + i));
        }
        return messages;
    }

    public static List<byte[]> bytes(List<String> messages) {
        return messages.stream().map(m -> m.getBytes(StandardCharsets.UTF_8)).toList();
    }

    static String message(String eventId, UUID device, String timestamp, String parameter, double value) {
        return String.format(Locale.ROOT, "{%s\"device_id\":\"%s\",\"protocol\":\"modbus\",\"source_timestamp\":\"%s\","
                        + "\"metrics\":[{\"parameter_key\":\"%s\",\"value\":%.1f}]}",
                eventId == null ? "" : "\"event_id\":\"" + eventId + "\",", device, timestamp, parameter, value);
    }

    /** Rows of the device in ingest_events. */
    public static long rows(JdbcTemplate jdbc, UUID device) {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events WHERE device_id = ?", Long.class, device);
    }

    /** {@code ingest_events_total{source, status}} so far. */
    public static double events(MeterRegistry meters, String source, String status) {
        Counter counter = meters.find("ingest.events").tag("source", source).tag("status", status).counter();
        return counter == null ? 0 : counter.count();
    }
}
