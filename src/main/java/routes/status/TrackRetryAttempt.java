package routes.status;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * Called by route commit-retry's error policy (routes/ingest.camel.yaml, {@code onRedeliveryRef}) before it
 * retries a message in the process: a tracked message's next attempt is running.
 */
@Component("trackRetryAttempt")
public class TrackRetryAttempt implements Processor {

    private final MessageStatusTracker tracker;

    public TrackRetryAttempt(MessageStatusTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void process(Exchange exchange) {
        tracker.retryStarts(exchange);
    }
}
