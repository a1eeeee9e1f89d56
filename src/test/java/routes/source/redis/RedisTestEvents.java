package routes.source.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** Test events for the Redis ITs: valid CONTRACT §1 JSON with three metrics each. */
final class RedisTestEvents {

    static final int METRICS = 3;
    private static final List<UUID> DEVICES = List.of(
            UUID.fromString("0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11"),
            UUID.fromString("1c7f5d3f-7b4a-4b9f-8e1a-4d2f6b8f3c22"),
            UUID.fromString("2d8a6e4a-8c5b-4cab-9f2b-5e3a7c9a4d33"));

    private RedisTestEvents() {
    }

    /** Event number {@code i} of run {@code run}: its own event_id, timestamp and values. */
    static String event(String run, int i) {
        UUID device = DEVICES.get(i % DEVICES.size());
        // Each run its own hour range, so runs never meet on (time, device_id, parameter_key).
        long second = 1_763_856_000L + Math.floorMod(run.hashCode(), 5000) * 3600L + i;
        String ts = java.time.Instant.ofEpochSecond(second, (i % 1000) * 1_000_000L).toString();
        return String.format(Locale.ROOT, "{\"event_id\":\"%s-%d\",\"device_id\":\"%s\",\"protocol\":\"modbus\","
                + "\"source_timestamp\":\"%s\",\"metrics\":["
                + "{\"parameter_key\":\"voltage\",\"value\":%.1f,\"quality\":192,\"attributes\":{\"unit\":\"V\"}},"
                + "{\"parameter_key\":\"current\",\"value\":%.2f},"
                + "{\"parameter_key\":\"temp\",\"value\":%d}]}",
                run, i, device, ts, 220.0 + (i % 20), (i % 100) / 10.0, i % 50);
    }

    /** {@code n} distinct events with {@code duplicates} repeats of some of them mixed in. */
    static List<String> withDuplicates(String run, int n, int duplicates) {
        List<String> out = new ArrayList<>(n + duplicates);
        for (int i = 0; i < n; i++) {
            out.add(event(run, i));
        }
        for (int j = 0; j < duplicates; j++) {
            out.add((int) ((j * 7919L) % out.size()), event(run, (int) ((j * 31L) % n)));
        }
        return out;
    }
}
