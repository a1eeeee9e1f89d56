package routes.source.consumer;

import java.time.Duration;
import routes.config.IngestProperties;

/** The wait before a failed message is tried again, by its failed attempts so far (1 = after the first). */
@FunctionalInterface
public interface RetryDelay {

    Duration after(int failedAttempts);

    /** {@code ingest.redelivery.*}: exponential back-off with a cap. */
    static RetryDelay exponential(IngestProperties.Redelivery redelivery) {
        return redelivery::delayAfter;
    }

    /** The same interval after every failure (the delivery worker's WORKER_RETRY_INTERVAL). */
    static RetryDelay fixed(Duration interval) {
        return failedAttempts -> interval;
    }
}
