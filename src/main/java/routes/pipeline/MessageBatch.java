package routes.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * The pipeline works on batches: a batch exchange's body is a {@code List<Exchange>}, one exchange per
 * message, as the batching consumers hand them; any other exchange is a batch of one (itself). Each
 * message exchange keeps its own outcome ({@link #OUTCOME}, or an exception), which its source settles.
 */
public final class MessageBatch {

    /** The message's {@link MessageOutcome}, once it has one. */
    public static final String OUTCOME = "ingestOutcome";
    /** On a single message made a batch of one ({@link #wrap}): the message exchange inside it. */
    static final String SINGLE = "ingestSingleMessage";

    private MessageBatch() {
    }

    /** Whether the body is a batch of message exchanges. */
    public static boolean isBatch(Object body) {
        return body instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Exchange;
    }

    /** The messages of a batch exchange: its body's exchanges, or the exchange itself. */
    @SuppressWarnings("unchecked")
    public static List<Exchange> messages(Exchange batch) {
        Object body = batch.getMessage().getBody();
        return isBatch(body) ? (List<Exchange>) body : List.of(batch);
    }

    /** The messages still on their way: no outcome, no failure. */
    public static List<Exchange> pending(Exchange batch) {
        List<Exchange> messages = messages(batch);
        List<Exchange> pending = new ArrayList<>(messages.size());
        for (Exchange message : messages) {
            if (isPending(message)) {
                pending.add(message);
            }
        }
        return pending;
    }

    /** Whether the message has neither an outcome nor a failure yet. */
    public static boolean isPending(Exchange message) {
        return message.getException() == null && message.getProperty(OUTCOME) == null;
    }

    /**
     * A single message sent to the pipeline (a source without batching, a replay) becomes a batch of one: its
     * body a copy of it, so that a stage failing the message fails the copy, not the exchange the route runs on.
     * {@link #unwrap} hands the copy's outcome back. A batch stays as it is.
     */
    public static void wrap(Exchange exchange) {
        if (isBatch(exchange.getMessage().getBody())) {
            return;
        }
        Exchange message = exchange.copy();
        exchange.setProperty(SINGLE, message);
        exchange.getMessage().setBody(List.of(message));
    }

    /** The end of the pipeline for a single message: its properties, body and failure, back on the exchange. */
    public static void unwrap(Exchange exchange) {
        Exchange message = (Exchange) exchange.removeProperty(SINGLE);
        if (message == null) {
            return;
        }
        exchange.getProperties().putAll(message.getProperties());
        exchange.getMessage().setBody(message.getMessage().getBody());
        exchange.setException(message.getException());
    }

    public static void settle(Exchange message, MessageOutcome outcome) {
        message.setProperty(OUTCOME, outcome);
    }

    /** The message's outcome, or null while it has none. */
    public static MessageOutcome outcome(Exchange message) {
        return message.getProperty(OUTCOME, MessageOutcome.class);
    }
}
