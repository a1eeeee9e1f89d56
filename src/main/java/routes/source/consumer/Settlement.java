package routes.source.consumer;

/**
 * How a source carries out a {@link Decision} on its broker. {@code D} is the source's own handle of a
 * delivery (a Redis entry, a JetStream message).
 */
public interface Settlement<D> {

    /** The message is done: remove it from the broker. */
    void ack(D delivery);

    /** Hand it back to be delivered again after {@link Decision#delay()}. */
    void retryLater(D delivery, Decision decision, Exception failure);

    /** Hold on to it (e.g. retry it here, or leave it where a recovery finds it). */
    void keep(D delivery, Decision decision, Exception failure);

    /** Carries out {@code decision}. */
    default void settle(D delivery, Decision decision, Exception failure) {
        switch (decision.kind()) {
            case ACK -> ack(delivery);
            case RETRY_LATER -> retryLater(delivery, decision, failure);
            case KEEP -> keep(delivery, decision, failure);
        }
    }
}
