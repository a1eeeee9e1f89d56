package routes.status;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;
import routes.pipeline.MessageBatch;

/**
 * Step {@code track-retry} of the pipeline (routes/ingest.camel.yaml), after the commits: the tracked
 * messages that failed and were not dead-lettered, which their source delivers again, are queued again
 * with the attempt count and the error, in one statement for the batch.
 */
@Component("trackRetry")
public class TrackRetry implements Processor {

    private final MessageStatusTracker tracker;

    public TrackRetry(MessageStatusTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void process(Exchange batch) {
        tracker.retrying(MessageBatch.messages(batch));
    }
}
