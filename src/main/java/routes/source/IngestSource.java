package routes.source;

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

    /** Publishes to the dead-letter destination and returns only once the broker has confirmed it. */
    void publishDeadLetter(byte[] body, Map<String, String> headers) throws Exception;
}
