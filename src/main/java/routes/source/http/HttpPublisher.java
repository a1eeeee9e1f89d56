package routes.source.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import routes.pipeline.Sha256;
import routes.pipeline.validate.IngestEvent;
import routes.source.IngestSource;
import routes.source.IngestSources;
import routes.status.MessageIds;
import routes.status.MessageStatusTracker;

/** {@code publish-to: <broker>}: hands validated HTTP events to a broker, each with a confirm. */
@Component
public class HttpPublisher {

    /** Header carrying the event's event_id. */
    public static final String EVENT_ID = "x-event-id";
    /**
     * Header carrying, for an event with an event_id, its message key ({@link IngestEvent#messageKey()}, equal
     * for two messages exactly when their row keys are; printable ASCII), from which a source may set its own
     * de-duplication id: not the event_id alone, which messages of different parameters share (CONTRACT §1).
     */
    public static final String MESSAGE_KEY = "x-message-key";
    public static final String TRACE_ID = "x-trace-id";
    /**
     * Header carrying, with {@code track-status}, the message's status id (routes.status.MessageIds), which the
     * broker publishes as its own message id (RabbitMQ {@code message-id}, NATS {@code Nats-Msg-Id}) so that
     * its source's tracking continues the row written at the 202.
     */
    public static final String STATUS_ID = "x-status-id";

    private final IngestSources sources;
    private final HttpSourceProperties properties;
    private final MessageStatusTracker status;

    public HttpPublisher(IngestSources sources, HttpSourceProperties properties, MessageStatusTracker status) {
        this.sources = sources;
        this.properties = properties;
        this.status = status;
    }

    public boolean publishing() {
        return !"none".equals(properties.publishTo());
    }

    public int publish(HttpEvents events) throws Exception {
        IngestSource broker = sources.find(properties.publishTo()).orElseThrow(() -> new IllegalStateException(
                "ingest.sources.http.publish-to=" + properties.publishTo() + " but that source is not enabled"));
        boolean tracking = properties.trackStatus() && status != null;
        List<String> ids = tracking ? new ArrayList<>(events.events().size()) : List.of();
        for (int i = 0; i < events.events().size(); i++) {
            Map<String, String> headers = new HashMap<>();
            if (tracking) {
                // A Redis list entry carries no header: there the id is what the Redis source finds in the body.
                String id = MessageIds.of(broker.carriesHeaders() ? events.messageId(i) : null, events.events().get(i));
                headers.put(STATUS_ID, id);
                ids.add(id);
            }
            headers.put(TRACE_ID, events.traceId());
            if (events.eventIds().get(i) != null) {
                headers.put(EVENT_ID, events.eventIds().get(i));
                headers.put(MESSAGE_KEY, ascii(events.parsed().get(i).messageKey()));
            }
            broker.publish(events.events().get(i), headers);
        }
        if (tracking) {
            status.received(HttpResponses.SOURCE, ids); // after the confirms: queued only what a broker holds
        }
        return events.events().size();
    }

    /** The key as it is when printable ASCII (what broker headers take), else its SHA-256. */
    static String ascii(String key) {
        if (key.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return key;
        }
        byte[] digest = Sha256.of(key.getBytes(StandardCharsets.UTF_8));
        return "sha256:" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }
}
