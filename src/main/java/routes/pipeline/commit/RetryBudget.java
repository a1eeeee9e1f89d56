package routes.pipeline.commit;

import org.apache.camel.Exchange;
import routes.config.IngestProperties;
import routes.pipeline.IngestExchange;

/**
 * One attempt budget per message, whatever the source: deliveries the broker made before this one
 * plus the attempts made in this process never exceed {@code ingest.redelivery.max-attempts}.
 */
public class RetryBudget {

    /** Failed attempts made in this process, kept beside Camel's redelivery counter header. */
    static final String FAILED_ATTEMPTS = "ingestFailedAttempts";

    private final IngestProperties.Redelivery policy;

    public RetryBudget(IngestProperties.Redelivery policy) {
        this.policy = policy;
    }

    /** Attempts made so far, this one included. */
    public int attempts(Exchange exchange) {
        Integer prior = exchange.getProperty(IngestExchange.PRIOR_ATTEMPTS, 0, Integer.class);
        Integer redeliveries = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        if (redeliveries == null) {
            // The header is gone once the original message is restored for the dead letters: use
            // the count kept when the predicates below last ran.
            redeliveries = exchange.getProperty(FAILED_ATTEMPTS, 0, Integer.class);
        } else {
            exchange.setProperty(FAILED_ATTEMPTS, redeliveries);
        }
        // Camel has counted the failed attempt when the predicates below run, so the redelivery
        // counter is the number of failed attempts made here; add the first one when none is counted.
        return prior + Math.max(1, redeliveries);
    }

    /** Whether to retry a failed attempt here (the source does not redeliver, and budget is left). */
    public boolean retryInProcess(Exchange exchange) {
        return inProcess(exchange) && attempts(exchange) < policy.maxAttempts();
    }

    /** Whether the budget is spent, so the message is to be dead-lettered rather than redelivered. */
    public boolean exhausted(Exchange exchange) {
        return attempts(exchange) >= policy.maxAttempts();
    }

    /** Whether a database outage is still retried here. */
    public boolean retryUnavailableInProcess(Exchange exchange) {
        Integer redeliveries = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        return redeliveries < policy.maxAttempts();
    }

    private static boolean inProcess(Exchange exchange) {
        return exchange.getProperty(IngestExchange.RETRY_IN_PROCESS, true, Boolean.class);
    }
}
