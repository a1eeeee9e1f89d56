package routes.source.consumer;

import java.time.Duration;

/**
 * What a source does with one message the route is done with.
 *
 * @param kind            ack it, hand it back to be retried later, or keep it (held by this consumer)
 * @param delay           for a retry: how long until it is tried again
 * @param countsAsAttempt false when the failure was not the message's (the database down)
 */
public record Decision(Kind kind, Duration delay, boolean countsAsAttempt) {

    public enum Kind {
        /** Done: committed, a duplicate, filtered or durably dead-lettered. */
        ACK,
        /** Failed: the broker (or its retry store) is to deliver it again after {@code delay}. */
        RETRY_LATER,
        /** Failed, but handing it back would be wrong now: this consumer holds on to it. */
        KEEP
    }

    public static final Decision ACK = new Decision(Kind.ACK, Duration.ZERO, false);

    public static Decision retryLater(Duration delay, boolean countsAsAttempt) {
        return new Decision(Kind.RETRY_LATER, delay, countsAsAttempt);
    }

    public static Decision keep(Duration delay) {
        return new Decision(Kind.KEEP, delay, false);
    }
}
