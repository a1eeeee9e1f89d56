package routes.source.rabbitmq;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs failing deliveries as one episode instead of once per message: a WARN when deliveries start
 * failing (the first error, without its stack trace, and the back-off), and an INFO when none is
 * waiting for a retry any more, with how many failed meanwhile. An outage of the database, the
 * idempotency store or the dead-letter exchange thus logs two lines, not a stack trace per retry.
 */
final class FailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(FailureLog.class);

    private final String source;
    private boolean failing;
    private Instant since;
    private long failed;
    private String lastError;

    FailureLog(String source) {
        this.source = source;
    }

    /** A delivery failed and is handed back after {@code delay}. */
    synchronized void failed(Throwable error, int attempts, Duration delay) {
        failed++;
        lastError = String.valueOf(error);
        if (!failing) {
            failing = true;
            since = Instant.now();
            LOG.warn("{}: deliveries failing, handed back to the broker with back-off (this one: attempt {}, retried "
                    + "in {} ms); logged again when none waits for a retry: {}", source, attempts, delay.toMillis(),
                    lastError);
        } else {
            LOG.debug("{}: delivery failed (attempt {}, retried in {} ms): {}", source, attempts, delay.toMillis(), lastError);
        }
    }

    /** A delivery settled for good; {@code waiting}: messages still waiting for a retry. */
    synchronized void settled(int waiting) {
        if (failing && waiting == 0) {
            failing = false;
            LOG.info("{}: no failed delivery waits for a retry any more: {} failed deliveries in {} s, the last: {}",
                    source, failed, Duration.between(since, Instant.now()).toSeconds(), lastError);
            failed = 0;
        }
    }
}
