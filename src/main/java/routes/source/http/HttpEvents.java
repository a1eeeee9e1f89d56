package routes.source.http;

import java.util.List;
import java.util.function.Supplier;
import routes.pipeline.IngestEvent;

/**
 * A validated {@code POST /v1/events} request.
 *
 * @param documents each event as its own JSON document, made when asked for: only the per-event path
 *                  and publishing to a broker need them, not the request committed as one unit
 * @param parsed    each event as validated
 * @param eventIds  the event_id of each event, or null
 * @param traceId   the request's trace id
 */
public record HttpEvents(Supplier<List<byte[]>> documents, List<IngestEvent> parsed, List<String> eventIds,
                         String traceId) {

    /** Each event as its own JSON document, as the pipeline and the brokers take it. */
    public List<byte[]> events() {
        return documents.get();
    }
}
