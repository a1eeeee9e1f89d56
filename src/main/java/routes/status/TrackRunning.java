package routes.status;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;
import routes.pipeline.MessageBatch;

/**
 * Step {@code track-running} of the pipeline (routes/ingest.camel.yaml): each message of the batch still
 * pending, from a source with {@code ingest.sources.<name>.track-status}, is marked running; nothing otherwise.
 */
@Component("trackRunning")
public class TrackRunning implements Processor {

    private final MessageStatusTracker tracker;

    public TrackRunning(MessageStatusTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void process(Exchange batch) {
        for (Exchange message : MessageBatch.messages(batch)) {
            if (MessageBatch.isPending(message)) {
                tracker.running(message);
            }
        }
    }
}
