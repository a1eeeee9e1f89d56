package routes.deadletter;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.StepFailedException;
import routes.pipeline.validate.InvalidMessageException;

/**
 * Step {@code dead-letter-failed} of the pipeline: the messages of a batch that failed for good (invalid, a
 * team step or check failed on them) go to route {@code dead-letter} together, as one batch, so that they are
 * recorded in one transaction and published to their dead-letter destination in one round trip. Each ends
 * dead-lettered, or, when parking them failed, with that failure (not acknowledged: redelivered).
 */
@Component("deadLetterFailed")
public class DeadLetterFailedStage implements Processor {

    static final String ENDPOINT = "direct:dead-letter";

    private final ProducerTemplate producer;

    public DeadLetterFailedStage(ProducerTemplate producer) {
        this.producer = producer;
    }

    @Override
    public void process(Exchange batch) {
        List<Exchange> failed = new ArrayList<>();
        for (Exchange message : MessageBatch.messages(batch)) {
            Exception e = message.getException();
            if (e instanceof InvalidMessageException || e instanceof StepFailedException) {
                failed.add(message);
            }
        }
        if (failed.isEmpty()) {
            return; // the common case: nothing to do, no cost
        }
        for (Exchange message : failed) {
            message.setProperty(Exchange.EXCEPTION_CAUGHT, message.getException());
            message.setException(null);
        }
        Exchange parked = producer.send(ENDPOINT, exchange -> exchange.getMessage().setBody(failed));
        for (Exchange message : failed) {
            if (parked.getException() != null) {
                message.setException(parked.getException());
            } else if (message.getException() == null) {
                MessageBatch.settle(message, MessageOutcome.DEAD_LETTERED);
            }
        }
    }
}
