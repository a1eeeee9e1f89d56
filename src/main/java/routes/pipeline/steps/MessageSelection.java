package routes.pipeline.steps;

import org.apache.camel.Exchange;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.StepFailedException;
import routes.pipeline.validate.InvalidMessageException;

/**
 * Which messages of a batch a {@code per-message:} step sends ({@code messages=}), how each is made ready,
 * and what it is once its route is done with it without a failure.
 */
enum MessageSelection {

    /** No outcome, no failure yet: a team's step. Done: a {@code stop} filtered it, else it goes on. */
    PENDING {
        @Override
        boolean selects(Exchange message) {
            return MessageBatch.isPending(message);
        }

        @Override
        void prepare(Exchange message) {
            if (message.getProperty(IngestExchange.ORIGINAL_BODY) == null) {
                message.setProperty(IngestExchange.ORIGINAL_BODY, message.getMessage().getBody());
            }
        }

        @Override
        void done(Exchange message) {
            if (message.isRouteStop()) {
                message.setRouteStop(false);
                MessageBatch.settle(message, MessageOutcome.FILTERED);
            }
        }
    },

    /**
     * Failed for good before the commit: invalid (CONTRACT §1) or a team step failed on it. The failure
     * becomes {@code CamelExceptionCaught}, as an error handler leaves it. Done: dead-lettered.
     */
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

        @Override
        void done(Exchange message) {
            MessageBatch.settle(message, MessageOutcome.DEAD_LETTERED);
        }
    },

    /** Its batch's commit failed ({@link IngestExchange#COMMIT_FAILED}). Done: committed, or dead-lettered where it says so. */
    UNCOMMITTED {
        @Override
        boolean selects(Exchange message) {
            return MessageBatch.isPending(message) && message.getProperty(IngestExchange.COMMIT_FAILED) != null;
        }

        @Override
        void prepare(Exchange message) {
            message.removeProperty(IngestExchange.COMMIT_FAILED);
        }

        @Override
        void done(Exchange message) {
            boolean deadLettered = message.getProperty(IngestExchange.DEAD_LETTERED, false, Boolean.class);
            MessageBatch.settle(message, deadLettered ? MessageOutcome.DEAD_LETTERED : MessageOutcome.COMMITTED);
        }
    };

    abstract boolean selects(Exchange message);

    abstract void prepare(Exchange message);

    /** After the route, when the message has no failure. */
    abstract void done(Exchange message);

    static MessageSelection of(String messages) {
        return switch (messages) {
            case "pending" -> PENDING;
            case "failed" -> FAILED;
            case "uncommitted" -> UNCOMMITTED;
            default -> throw new IllegalArgumentException("per-message: messages=" + messages
                    + " is not one of pending, failed, uncommitted");
        };
    }
}
