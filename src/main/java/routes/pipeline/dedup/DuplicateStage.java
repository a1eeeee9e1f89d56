package routes.pipeline.dedup;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.validate.IngestEvent;

/**
 * Stage {@code idempotent-consumer}: a pending message whose message key ({@link IngestEvent#messageKey()},
 * the same for two messages exactly when their row keys are, CONTRACT §1) was committed before, or came
 * earlier in the batch, is a {@link MessageOutcome#DUPLICATE}. Committed-only: keys are remembered by the
 * outcome stage once their rows committed, never when a message was dead-lettered; a replay goes through.
 */
public class DuplicateStage implements Processor {

    private final CommittedOnlyIdempotentRepository committed;

    public DuplicateStage(CommittedOnlyIdempotentRepository committed) {
        this.committed = committed;
    }

    @Override
    public void process(Exchange batch) {
        List<Exchange> messages = MessageBatch.messages(batch);
        Set<String> keys = messages.size() > 1 ? new HashSet<>(messages.size() * 2) : null;
        for (Exchange message : messages) {
            if (!MessageBatch.isPending(message)) {
                continue;
            }
            String key = message.getProperty(IngestExchange.EVENT, IngestEvent.class).messageKey();
            message.setProperty(IngestExchange.EVENT_KEY, key); // remembered by the outcome stage once committed
            if ((keys != null && !keys.add(key)) || committed.contains(message, key)) {
                MessageBatch.settle(message, MessageOutcome.DUPLICATE);
                message.setProperty(Exchange.DUPLICATE_MESSAGE, true); // as Camel's idempotent consumer marks it
            }
        }
    }
}
