package routes.source.http;

import java.util.List;
import routes.pipeline.IngestEvent;

/**
 * A validated {@code POST /v1/events} request.
 *
 * @param events  each event as its own JSON document, as the pipeline and the brokers take it
 * @param parsed  each event as validated
 * @param eventIds the event_id of each event, or null
 * @param traceId the request's trace id
 */
public record HttpEvents(List<byte[]> events, List<IngestEvent> parsed, List<String> eventIds, String traceId) {
}
