package routes.source.http;

import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;
import routes.source.IngestSource;
import routes.source.IngestSources;

/** {@code publish-to: <broker>}: hands validated HTTP events to a broker, each with a confirm. */
@Component
public class HttpPublisher {

    /** Header carrying the event's event_id, from which a source may set its own de-duplication id. */
    public static final String EVENT_ID = "x-event-id";
    public static final String TRACE_ID = "x-trace-id";

    private final IngestSources sources;
    private final HttpSourceProperties properties;

    public HttpPublisher(IngestSources sources, HttpSourceProperties properties) {
        this.sources = sources;
        this.properties = properties;
    }

    public boolean publishing() {
        return !"none".equals(properties.publishTo());
    }

    public int publish(HttpEvents events) throws Exception {
        IngestSource broker = sources.find(properties.publishTo()).orElseThrow(() -> new IllegalStateException(
                "ingest.sources.http.publish-to=" + properties.publishTo() + " but that source is not enabled"));
        for (int i = 0; i < events.events().size(); i++) {
            Map<String, String> headers = new HashMap<>();
            headers.put(TRACE_ID, events.traceId());
            if (events.eventIds().get(i) != null) {
                headers.put(EVENT_ID, events.eventIds().get(i));
            }
            broker.publish(events.events().get(i), headers);
        }
        return events.events().size();
    }
}
