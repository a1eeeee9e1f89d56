package routes.chaos;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chaos run's backlog, the same every time for the same sizes (the publisher and the report each
 * build it): {@code events} distinct valid events of three metrics each, every {@code duplicateEvery}-th
 * of them re-sent byte for byte somewhere later in the stream, and after every {@code invalidEvery}-th
 * an invalid message: not JSON, not UTF-8, or breaking a rule, plus {@code oversized} messages over 1 MiB.
 * Every invalid message carries a unique ASCII marker {@code chaos-bad-<n>} near its start, so a dead
 * letter (in the table or a broker DLQ) can be traced back to the message it came from.
 */
public final class ChaosMessages {

    public static final int METRICS = 3;
    public static final Pattern MARKER = Pattern.compile("chaos-bad-\\d+");
    private static final int DEVICES = 50;
    private static final Instant START = Instant.parse("2026-11-20T00:00:00Z");
    private static final int MAX_MESSAGE_BYTES = 1024 * 1024;

    /** One invalid message: its marker, the error type the app should give it, and its exact bytes. */
    public record Invalid(String marker, String expectedErrorType, byte[] body) {
        public String sha256() {
            return ChaosMessages.sha256(body);
        }
    }

    private final List<byte[]> stream = new ArrayList<>();
    private final Map<String, Invalid> invalid = new LinkedHashMap<>();
    private final int events;
    private int duplicates;
    private double valueSum;

    public ChaosMessages(int events, int duplicateEvery, int invalidEvery, int oversized) {
        this.events = events;
        Random random = new Random(13);
        int[] positionOf = new int[events];
        for (int i = 0; i < events; i++) {
            positionOf[i] = stream.size();
            stream.add(event(i));
            for (double v : values(i)) {
                valueSum += v;
            }
            if (invalidEvery > 0 && i % invalidEvery == invalidEvery / 2) {
                stream.add(nextInvalid(invalid.size()).body());
            }
        }
        // Oversized ones spread over the stream, so a kill can meet one in flight too.
        for (int k = 0; k < oversized; k++) {
            Invalid big = oversized(invalid.size());
            invalid.put(big.marker(), big);
            stream.add((int) ((long) (k + 1) * stream.size() / (oversized + 1)), big.body());
        }
        // Byte-identical re-sends, each somewhere after its original (often in another batch, or after a kill).
        if (duplicateEvery > 0) {
            for (int i = duplicateEvery / 2; i < events; i += duplicateEvery) {
                int from = Math.min(stream.size(), positionOf[i] + 1);
                stream.add(from + random.nextInt(stream.size() - from + 1), event(i));
                duplicates++;
            }
        }
    }

    /** Every message in publish order. */
    public List<byte[]> stream() {
        return stream;
    }

    public int events() {
        return events;
    }

    public long expectedRows() {
        return (long) events * METRICS;
    }

    public int duplicates() {
        return duplicates;
    }

    /** The invalid messages by marker. */
    public Map<String, Invalid> invalid() {
        return invalid;
    }

    /** The sum of every distinct row's value: what {@code sum(value)} over ingest_events must be. */
    public double expectedValueSum() {
        return valueSum;
    }

    /** The marker in a dead letter's body (or its text with replacement characters), or null. */
    public static String markerIn(String text) {
        Matcher m = MARKER.matcher(text.length() > 4096 ? text.substring(0, 4096) : text);
        return m.find() ? m.group() : null;
    }

    private static byte[] event(int i) {
        UUID device = new UUID(0x5a1e0c4a0a5e4b1cL, 0x8000000000000000L + i % DEVICES);
        // Seven seconds apart: about five days of events, so several daily_stats days per key.
        Instant time = START.plusSeconds(7L * i).plusMillis(i % 1000);
        double[] v = values(i);
        return String.format(Locale.ROOT, "{\"event_id\":\"chaos-%d\",\"device_id\":\"%s\",\"protocol\":\"modbus\","
                        + "\"source_timestamp\":\"%s\",\"metrics\":["
                        + "{\"parameter_key\":\"voltage\",\"value\":%s,\"quality\":192,\"attributes\":{\"unit\":\"V\"}},"
                        + "{\"parameter_key\":\"current\",\"value\":%s},{\"parameter_key\":\"power\",\"value\":%s}]}",
                i, device, time, v[0], v[1], v[2]).getBytes(StandardCharsets.UTF_8);
    }

    /** Voltage, current and power of event {@code i}; power large, so that inexact sums would show. */
    private static double[] values(int i) {
        return new double[] {220 + (i % 97) * 0.25, (i % 13) * 1.5, (i % 1000) * 3.125 + 1e6};
    }

    /** The next invalid message, its kind cycling through the kinds that are not oversized. */
    private Invalid nextInvalid(int n) {
        String marker = "chaos-bad-" + n;
        String device = "5a1e0c4a-0a5e-4b1c-8000-0000000000" + String.format(Locale.ROOT, "%02d", n % DEVICES);
        Invalid message = switch (n % 5) {
            case 0 -> new Invalid(marker, "json", ("{\"event_id\":\"" + marker + "\",\"device_id\":\"" + device
                    + "\",\"metrics\":[{\"parameter_key\":\"voltage\",\"val").getBytes(StandardCharsets.UTF_8));
            case 1 -> new Invalid(marker, "validation", ("{\"event_id\":\"" + marker + "\",\"device_id\":\"not-a-uuid\","
                    + "\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":1}]}")
                    .getBytes(StandardCharsets.UTF_8));
            case 2 -> new Invalid(marker, "validation", ("{\"event_id\":\"" + marker + "\",\"device_id\":\"" + device
                    + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[]}").getBytes(StandardCharsets.UTF_8));
            case 3 -> new Invalid(marker, "validation", ("{\"event_id\":\"" + marker + "\",\"device_id\":\"" + device
                    + "\",\"source_timestamp\":\"22/11/2026 10:15\",\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":1}]}")
                    .getBytes(StandardCharsets.UTF_8));
            default -> new Invalid(marker, "json", notUtf8(marker));
        };
        invalid.put(marker, message);
        return message;
    }

    /** Bytes that are not UTF-8 (0xff 0xfe, and a lone continuation byte) around an ASCII marker: not JSON either. */
    private static byte[] notUtf8(String marker) {
        byte[] text = (" {\"event_id\":\"" + marker + "\",\"note\":\"caf\u00e9\"}").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[text.length + 3];
        body[0] = (byte) 0xff;
        body[1] = (byte) 0xfe;
        System.arraycopy(text, 0, body, 2, text.length);
        body[body.length - 1] = (byte) 0x80;
        return body;
    }

    /** A well-formed event padded to just over 1 MiB: too_large whatever it says. */
    private static Invalid oversized(int n) {
        String marker = "chaos-bad-" + n;
        String head = "{\"event_id\":\"" + marker + "\",\"device_id\":\"5a1e0c4a-0a5e-4b1c-8000-000000000001\","
                + "\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":1,"
                + "\"attributes\":{\"padding\":\"";
        String tail = "\"}}]}";
        int padding = MAX_MESSAGE_BYTES + 1000 + n - head.length() - tail.length();
        return new Invalid(marker, "too_large", (head + "x".repeat(padding) + tail).getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
