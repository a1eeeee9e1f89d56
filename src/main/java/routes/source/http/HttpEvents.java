package routes.source.http;

import java.util.List;
import java.util.function.Supplier;
import routes.pipeline.validate.IngestEvent;

/**
 * A validated {@code POST /v1/events} request to publish to a broker ({@code publish-to}); a request for
 * the pipeline goes there as a batch of its events instead ({@link HttpEventsReader#messages}).
 *
 * @param documents each event as its own JSON document, made when first asked for and then kept: publishing
 *                  to a broker needs them (once per event)
 * @param parsed    each event as validated
 * @param eventIds  the event_id of each event, or null
 * @param traceId   the request's trace id
 * @param messageId the request's {@code X-Message-Id}, or null
 * @param array     whether the request was a JSON array (event n's id is then {@code <messageId>:<n>})
 */
public record HttpEvents(Supplier<List<byte[]>> documents, List<IngestEvent> parsed, List<String> eventIds,
                         String traceId, String messageId, boolean array) {

    public HttpEvents {
        documents = new Once<>(documents);
    }

    public HttpEvents(Supplier<List<byte[]>> documents, List<IngestEvent> parsed, List<String> eventIds, String traceId) {
        this(documents, parsed, eventIds, traceId, null, false);
    }

    /** The producer's id of event {@code n} (as {@link HttpEventsReader#messages} gives it), or null. */
    public String messageId(int n) {
        if (messageId == null || messageId.isBlank()) {
            return null;
        }
        return array ? messageId + ":" + n : messageId;
    }

    /** Each event as its own JSON document, as the pipeline and the brokers take it. */
    public List<byte[]> events() {
        return documents.get();
    }

    /** Computes its value on the first call only. */
    private static final class Once<T> implements Supplier<T> {

        private Supplier<T> supplier;
        private T value;

        Once(Supplier<T> supplier) {
            this.supplier = supplier instanceof Once<T> once ? once : supplier;
        }

        @Override
        public synchronized T get() {
            if (supplier != null) {
                value = supplier.get();
                supplier = null;
            }
            return value;
        }
    }
}
