package routes.source;

import java.util.List;
import java.util.Map;
import routes.ops.MonitoredQueue;

/**
 * What the shared parts of the product need from a broker source: its name, queue and queue depth
 * ({@link MonitoredQueue}, what ops reads), and publishing with a broker confirm to its queue (HTTP
 * {@code publish-to}, dead-letter replay) and to its dead-letter destination. One Spring bean per enabled
 * broker source.
 */
public interface IngestSource extends MonitoredQueue {

    /** Publishes to the source queue and returns only once the broker has confirmed it. */
    void publish(byte[] body, Map<String, String> headers) throws Exception;

    /**
     * Whether its messages go through the ingest pipeline, and so have {@code ingest_events_total} and the
     * other per-source series; the outbound delivery queue's do not.
     */
    default boolean ingests() {
        return true;
    }

    /**
     * Whether {@link #publish} carries the headers to its consumer (a message id among them); a Redis list
     * entry is the body alone.
     */
    default boolean carriesHeaders() {
        return true;
    }

    /** Publishes to the dead-letter destination and returns only once the broker has confirmed it. */
    void publishDeadLetter(byte[] body, Map<String, String> headers) throws Exception;

    /**
     * Publishes the copies to the dead-letter destination, in their order, and returns only once the broker has
     * confirmed every one of them; throws when any is not confirmed (some may have been published then: the DLQ
     * may receive a copy more than once, CONTRACT §2). A source sends them in one round trip where its broker
     * allows; this default sends them one by one.
     */
    default void publishDeadLetters(List<DeadLetterCopy> copies) throws Exception {
        for (DeadLetterCopy copy : copies) {
            publishDeadLetter(copy.body(), copy.headers());
        }
    }

    /**
     * Encodes {@code body} as this source would for its dead-letter destination, and throws the result away:
     * called at start-up by {@code routes.deadletter.DeadLetterWarmup} on a body over the size limit, so that
     * the byte loops of an oversized dead letter are compiled before the first one arrives. A source whose
     * broker client does the encoding has nothing to run here.
     */
    default void encodeDeadLetterForWarmup(byte[] body) throws Exception {
    }

    /** One dead letter for the broker: the original body, unchanged, and the CONTRACT §2 headers. */
    record DeadLetterCopy(byte[] body, Map<String, String> headers) {
    }
}
