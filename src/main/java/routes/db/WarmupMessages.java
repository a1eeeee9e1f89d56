package routes.db;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The made-up message bodies of the pipeline warm-up ({@link PipelineWarmup}): every shape CONTRACT §1 accepts,
 * mixed as real traffic mixes them, and one of each kind of invalid message.
 *
 * <p>Why the variety: the JIT compiles the parser, the splitter and the batch write for the shapes it has seen.
 * A warm-up of one shape (always a fraction of a second, always {@code Z}, one device, three metrics, no
 * envelope) had its compiled code thrown away at the first real messages (JFR {@code jdk.Deoptimization},
 * reason {@code unstable_if}, in the JSON reader, {@code Rfc3339}, the double parser and the key ordering), and
 * recompiled while the first real backlog waited.
 */
final class WarmupMessages {

    private static final String[] PARAMETERS = {"voltage", "current", "power", "temperature", "state"};
    private static final String[] OFFSETS = {"Z", "+02:00", "Z", "-05:30"};
    private static final int DEVICES = 8;

    private final UUID[] devices = new UUID[DEVICES];

    /** Devices of their own (fresh UUIDs): nothing the warm-up writes meets a real key, even before its rollback. */
    WarmupMessages() {
        for (int d = 0; d < DEVICES; d++) {
            devices[d] = UUID.randomUUID();
        }
    }

    /**
     * Valid message {@code i} of throw-away batch {@code batch}: plain or in the collector envelope, with or
     * without {@code event_id}, {@code protocol}, {@code trace_id}, quality and attributes; 1 to 3 metrics;
     * values written as integers, decimals, exponents and negatives; timestamps with 0, 3, 6 or 9 fraction
     * digits and {@code Z} or an offset, over three days.
     */
    byte[] valid(int batch, int i) {
        StringBuilder event = new StringBuilder(320).append('{');
        if (i % 10 != 9) {
            event.append("\"event_id\":\"warmup-").append(batch).append('-').append(i).append("\",");
        }
        event.append("\"device_id\":\"").append(devices[i % DEVICES]).append('"');
        if (i % 3 != 0) {
            event.append(",\"protocol\":\"").append(i % 2 == 0 ? "modbus" : "opcua").append('"');
        }
        if (i % 11 == 5) {
            event.append(",\"trace_id\":\"warmup-trace-").append(i).append('"');
        }
        event.append(",\"source_timestamp\":\"").append(timestamp(batch, i)).append("\",\"metrics\":[");
        int metrics = 1 + i % 3;
        for (int m = 0; m < metrics; m++) {
            if (m > 0) {
                event.append(',');
            }
            event.append("{\"parameter_key\":\"").append(PARAMETERS[(i + m) % PARAMETERS.length])
                    .append("\",\"value\":").append(value(i + m));
            if ((i + m) % 2 == 0) {
                event.append(",\"quality\":").append((i + m) % 256);
            }
            if ((i + m) % 4 == 0) {
                event.append(",\"attributes\":{\"unit\":\"V\",\"scale\":").append(m).append('}');
            }
            event.append('}');
        }
        event.append("]}");
        String body = i % 7 == 0 ? "{\"trace_id\":\"warmup-envelope-" + i + "\",\"event\":" + event + "}" : event.toString();
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** One message of each invalid kind: not JSON, not UTF-8, and a broken rule of each required field. */
    List<byte[]> invalid() {
        String device = devices[0].toString();
        return List.of(
                bytes("{\"event_id\":\"warmup-bad\",\"device_id\":\"" + device + "\",\"metrics\":[{\"parameter_key\":\"vol"),
                new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}', (byte) 0x80},
                bytes("{\"device_id\":\"not-a-uuid\",\"source_timestamp\":\"2000-01-01T00:00:00Z\","
                        + "\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":1}]}"),
                bytes("{\"device_id\":\"" + device + "\",\"source_timestamp\":\"2000-01-01T00:00:00Z\",\"metrics\":[]}"),
                bytes("{\"device_id\":\"" + device + "\",\"source_timestamp\":\"01/01/2000 00:00\","
                        + "\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":1}]}"),
                bytes("{\"device_id\":\"" + device + "\",\"source_timestamp\":\"2000-01-01T00:00:00Z\","
                        + "\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":\"high\"}]}"),
                bytes("{\"device_id\":\"" + device + "\",\"source_timestamp\":\"2000-01-01T00:00:00Z\","
                        + "\"metrics\":[{\"parameter_key\":\"volt\\u0000age\",\"value\":1}]}"),
                bytes("{\"source_timestamp\":\"2000-01-01T00:00:00Z\",\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":1}]}"));
    }

    /** Distinct per (batch, i): the batch in the minutes, i in the day, hour and seconds. */
    private static String timestamp(int batch, int i) {
        String base = String.format(Locale.ROOT, "2000-01-%02dT%02d:%02d:%02d", 1 + i % 3, (i / 3) % 24, batch % 60,
                (i / 72) % 60);
        String fraction = switch (i % 4) {
            case 0 -> "";
            case 1 -> String.format(Locale.ROOT, ".%03d", i % 1000);
            case 2 -> String.format(Locale.ROOT, ".%06d", i * 7 % 1_000_000);
            default -> String.format(Locale.ROOT, ".%09d", i * 7919L % 1_000_000_000L);
        };
        return base + fraction + OFFSETS[(i / 4) % OFFSETS.length];
    }

    private static String value(int n) {
        return switch (n % 5) {
            case 0 -> Integer.toString(n % 400);
            case 1 -> (220 + n % 97) + ".25";
            case 2 -> "1.000003125E6";
            case 3 -> "-" + (n % 13) + ".5";
            default -> "3e-2";
        };
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
