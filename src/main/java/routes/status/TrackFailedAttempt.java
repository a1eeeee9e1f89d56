package routes.status;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * Called by route commit-retry's error policy (routes/ingest.camel.yaml, {@code onExceptionOccurredRef}) just
 * after a message's attempt failed: a tracked message is queued again, with the attempts and the error.
 */
@Component("trackFailedAttempt")
public class TrackFailedAttempt implements Processor {

    private final MessageStatusTracker tracker;

    public TrackFailedAttempt(MessageStatusTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void process(Exchange exchange) {
        tracker.failedAttempt(exchange);
    }
}
