package routes.pipeline.commit;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.DefaultExchange;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.split.MetricRow;

/**
 * Stage {@code commit}: the rows of every pending message of the batch go to the batch aggregator as one
 * unit, one attempt; the batch goes on once they are committed (ack-after-commit). Then each of them is
 * {@link MessageOutcome#COMMITTED}, with the write's report ({@link IngestExchange#WRITTEN}). If the unit
 * fails, for whatever reason, its messages stay pending, marked {@link IngestExchange#COMMIT_FAILED}: the
 * pipeline's next step commits them one by one with the redelivery policy, so that only the message at
 * fault is retried or dead-lettered and the database being down goes back to the source per message.
 * A batch of one message skips the unit: its one commit is that step's, so its attempts are counted once.
 */
public class CommitStage extends AsyncProcessorSupport {

    private final BatchAggregator aggregator;

    public CommitStage(BatchAggregator aggregator) {
        this.aggregator = aggregator;
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean process(Exchange batch, AsyncCallback callback) {
        List<Exchange> messages = MessageBatch.messages(batch);
        List<Exchange> unit = new ArrayList<>(messages.size());
        List<MetricRow> rows = new ArrayList<>();
        List<Object> tracked = null; // what the messages carry for a CommitParticipant (IngestExchange.TRACKED)
        for (Exchange message : messages) {
            if (!MessageBatch.isPending(message)) {
                continue;
            }
            unit.add(message);
            rows.addAll(message.getMessage().getBody(List.class));
            Object t = message.getProperty(IngestExchange.TRACKED);
            if (t != null) {
                if (tracked == null) {
                    tracked = new ArrayList<>();
                }
                tracked.add(t);
            }
        }
        if (unit.isEmpty()) {
            callback.done(true);
            return true;
        }
        if (unit.size() == 1) {
            unit.get(0).setProperty(IngestExchange.COMMIT_FAILED, Boolean.FALSE); // not failed: committed alone
            callback.done(true);
            return true;
        }
        Exchange write = new DefaultExchange(batch.getContext());
        write.setProperty(IngestExchange.SOURCE, unit.get(0).getProperty(IngestExchange.SOURCE));
        if (tracked != null) {
            write.setProperty(IngestExchange.TRACKED, tracked);
        }
        write.getMessage().setBody(rows);
        return aggregator.process(write, doneSync -> {
            Exception failure = write.getException();
            Object written = write.getProperty(IngestExchange.WRITTEN);
            for (Exchange message : unit) {
                if (failure == null) {
                    message.setProperty(IngestExchange.WRITTEN, written);
                    MessageBatch.settle(message, MessageOutcome.COMMITTED);
                } else {
                    message.setProperty(IngestExchange.COMMIT_FAILED, failure);
                }
            }
            callback.done(doneSync);
        });
    }
}
