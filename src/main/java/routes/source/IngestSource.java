package routes.source;

import java.util.Map;

/**
 * What the shared parts of the product need from a broker source: its queue depth, and publishing
 * with a broker confirm to its queue (HTTP {@code publish-to}, dead-letter replay) and to its
 * dead-letter destination. One Spring bean per enabled broker source.
 */
public interface IngestSource {

    /** The source name used in metrics, dead letters and configuration: rabbitmq, nats, redis. */
    String name();

    /** The queue, subject or list this source consumes. */
    String queue();

    /** Messages waiting in the broker, by the broker's own count; -1 when it cannot be read now. */
    long queueDepth();

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
