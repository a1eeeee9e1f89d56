package routes.status;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;
import routes.pipeline.MessageBatch;

/**
 * Step {@code track-running} of the pipeline (routes/ingest.camel.yaml): each message of the batch still
 * pending, from a source with {@code ingest.sources.<name>.track-status}, is received and running, in one
 * statement for the batch; nothing otherwise.
 */
@Component("trackRunning")
public class TrackRunning implements Processor {

    private final MessageStatusTracker tracker;

    public TrackRunning(MessageStatusTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void process(Exchange batch) {
        List<TrackedMessage> started = new ArrayList<>();
        for (Exchange message : MessageBatch.messages(batch)) {
            if (MessageBatch.isPending(message)) {
                TrackedMessage tracked = tracker.start(message);
                if (tracked != null) {
                    started.add(tracked);
                }
            }
        }
        tracker.running(started);
    }
}
