package routes.source.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StreamInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Test helpers for the local NATS JetStream server: fresh stream names, events, stream state. */
public final class NatsTestSupport {

    public static final String URL = "nats://" + env("TEST_NATS_HOST", "127.0.0.1") + ":" + env("TEST_NATS_PORT", "4222");

    private NatsTestSupport() {
    }

    public static Connection connect(String url) throws Exception {
        return Nats.connect(Options.builder().server(url).maxReconnects(-1).reconnectWait(Duration.ofMillis(200)).build());
    }

    /** {@code ingest.sources.nats.*} with its defaults and these keys (relative to that prefix) set, bound as Spring does. */
    public static NatsSourceProperties properties(Map<String, String> keys) {
        Map<String, String> prefixed = new HashMap<>();
        keys.forEach((k, v) -> prefixed.put("ingest.sources.nats." + k, v));
        return new Binder(new MapConfigurationPropertySource(prefixed))
                .bindOrCreate("ingest.sources.nats", NatsSourceProperties.class);
    }

    /** Deletes the streams (and so their consumers) if they exist, so a test class starts from nothing. */
    public static void deleteStreams(String url, String... streams) {
        try (Connection c = connect(url)) {
            JetStreamManagement jsm = c.jetStreamManagement();
            for (String stream : streams) {
                try {
                    jsm.deleteStream(stream);
                } catch (JetStreamApiException notThere) {
                    // absent already
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("NATS JetStream not reachable at " + url, e);
        }
    }

    /** Messages currently in a stream. */
    public static long messages(Connection c, String stream) throws Exception {
        StreamInfo info = c.jetStreamManagement().getStreamInfo(stream);
        return info.getStreamState().getMsgCount();
    }

    /** Messages a durable consumer has delivered and not yet seen acknowledged. */
    public static long ackPending(Connection c, String stream, String durable) throws Exception {
        return c.jetStreamManagement().getConsumerInfo(stream, durable).getNumAckPending();
    }

    /** One valid event with three metrics; the same arguments give the same JSON. */
    public static byte[] event(String eventId, UUID device, Instant time, double base) {
        String json = String.format(Locale.ROOT, """
                {"event_id":"%s","device_id":"%s","protocol":"modbus","source_timestamp":"%s","metrics":[\
                {"parameter_key":"voltage","value":%.3f,"quality":192,"attributes":{"unit":"V"}},\
                {"parameter_key":"current","value":%.3f},{"parameter_key":"power","value":%.3f}]}""",
                eventId, device, time, base, base / 10, base * 3);
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
