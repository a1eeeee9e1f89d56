package routes.pipeline.steps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.EventHelper;
import org.apache.camel.support.service.ServiceHelper;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.StepFailedException;
import routes.pipeline.validate.InvalidMessageException;

/** Sends the selected messages of a batch, each on its own, to the target; the batch goes on when all are done. */
class EachMessageProducer extends DefaultAsyncProducer {

    /** Which messages of a batch are sent, how they are handed over, and what they are once done. */
    enum Selection {
        FAILED {
            @Override
            boolean selects(Exchange message) {
                Exception e = message.getException();
                return e instanceof InvalidMessageException || e instanceof StepFailedException;
            }

            @Override
            void prepare(Exchange message) {
                message.setProperty(Exchange.EXCEPTION_CAUGHT, message.getException());
                message.setException(null);
            }
        },
        UNCOMMITTED {
            @Override
            boolean selects(Exchange message) {
                return MessageBatch.isPending(message) && message.getProperty(IngestExchange.COMMIT_FAILED) != null;
            }

            @Override
            void prepare(Exchange message) {
                message.removeProperty(IngestExchange.COMMIT_FAILED);
            }
        };

        abstract boolean selects(Exchange message);

        abstract void prepare(Exchange message);

        void done(Exchange message) {
            if (message.getException() != null) {
                return;
            }
            boolean deadLettered = message.getProperty(IngestExchange.DEAD_LETTERED, false, Boolean.class);
            MessageBatch.settle(message, deadLettered || this == FAILED ? MessageOutcome.DEAD_LETTERED : MessageOutcome.COMMITTED);
        }
    }

    private final EachMessageEndpoint endpoint;
    private final Endpoint target;
    private final Selection selection;
    private AsyncProducer producer;

    EachMessageProducer(EachMessageEndpoint endpoint, Endpoint target, Selection selection) {
        super(endpoint);
        this.endpoint = endpoint;
        this.target = target;
        this.selection = selection;
    }

    @Override
    protected void doStart() throws Exception {
        producer = target.createAsyncProducer();
        ServiceHelper.startService(producer);
    }

    @Override
    protected void doStop() {
        ServiceHelper.stopService(producer);
    }

    @Override
    public boolean process(Exchange batch, AsyncCallback callback) {
        List<Exchange> chosen = null;
        for (Exchange message : MessageBatch.messages(batch)) {
            if (selection.selects(message)) {
                if (chosen == null) {
                    chosen = new ArrayList<>();
                }
                chosen.add(message);
            }
        }
        if (chosen == null) {
            callback.done(true); // the common case: nothing to do, no cost
            return true;
        }
        List<Exchange> messages = chosen;
        messages.forEach(selection::prepare);
        if (!endpoint.isHandOff()) {
            sendAll(messages, callback);
            return false;
        }
        try {
            endpoint.executor().execute(() -> sendAll(messages, callback));
        } catch (RuntimeException e) {
            // Stopping: nothing takes more work. Fail the messages, so their sources redeliver them.
            messages.forEach(m -> m.setException(e));
            callback.done(true);
            return true;
        }
        return false;
    }

    private void sendAll(List<Exchange> messages, AsyncCallback callback) {
        AtomicInteger left = new AtomicInteger(messages.size());
        for (Exchange message : messages) {
            AsyncCallback done = doneSync -> {
                selection.done(message);
                if (left.decrementAndGet() == 0) {
                    callback.done(false);
                }
            };
            try {
                EventHelper.notifyExchangeSending(message.getContext(), message, target);
                producer.process(message, done);
            } catch (RuntimeException e) {
                message.setException(e);
                done.done(true);
            }
        }
    }
}
