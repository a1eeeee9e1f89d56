package routes.ops;

/**
 * What ops reads from a broker source when Prometheus scrapes or {@code /v1/health} is asked: its name,
 * its queue and how many messages wait there. Every broker source ({@code routes.source.IngestSource})
 * is one; ops knows them only through this, so that {@code ops} does not depend on {@code source}.
 */
public interface MonitoredQueue {

    /** The source name used in metrics, dead letters and configuration: rabbitmq, nats, redis. */
    String name();

    /** The queue, subject or list this source consumes. */
    String queue();

    /** Messages waiting in the broker, by the broker's own count; -1 when it cannot be read now. */
    long queueDepth();
}
