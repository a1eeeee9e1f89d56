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
 */
public record HttpEvents(Supplier<List<byte[]>> documents, List<IngestEvent> parsed, List<String> eventIds,
                         String traceId) {

    public HttpEvents {
        documents = new Once<>(documents);
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
