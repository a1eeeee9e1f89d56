package routes.pipeline;

import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.stereotype.Component;
import routes.config.IngestProperties;

/**
 * The error policies of the pipeline, referenced by id from Java and YAML routes.
 * <p>{@value #ID}, on the pipeline route {@code ingest}: invalid messages are dead-lettered at once;
 * any other failure of a step goes back to the source (which redelivers it), or to the dead letters
 * once the message's attempt budget is spent; the database unreachable always goes back to the source.
 * Nothing is retried in this route, so no step pays for redelivery (Camel copies the exchange before
 * every step of a route whose error handler may redeliver).
 * <p>{@value #COMMIT_ID}, on the route {@code commit-rows} that only hands rows to the batch:
 * <ul>
 *   <li>rows the database refuses: dead-lettered at once, never retried;</li>
 *   <li>the database unreachable: retried here with back-off, then handed back failed to the source,
 *       which redelivers it later — never dead-lettered (the dead letters live in that database);</li>
 *   <li>any other failure: retried with exponential back-off within the message's one attempt
 *       budget ({@link RetryBudget}); a source that redelivers itself gets the failure back while
 *       budget is left; when the budget is spent the original message is dead-lettered.</li>
 * </ul>
 * A failure handed back by {@code commit-rows} is not handled again by {@value #ID}: Camel treats an
 * exchange whose redeliveries are exhausted as done, so it fails back to the source as it is.
 * A failure while dead-lettering fails the exchange, so the source does not acknowledge the message.
 * The dead letter carries the message as received: the validator keeps it in
 * {@link IngestExchange#ORIGINAL_BODY} (no useOriginalMessage, which copies every exchange up front).
 */
@Component
public class IngestErrorPolicy extends RouteConfigurationBuilder {

    public static final String ID = "ingest-errors";
    public static final String COMMIT_ID = "commit-retries";
    public static final String DEAD_LETTER = "direct:dead-letter";

    private final IngestProperties.Redelivery redelivery;
    private final RetryBudget budget;

    public IngestErrorPolicy(IngestProperties properties, RetryBudget budget) {
        this.redelivery = properties.redelivery();
        this.budget = budget;
    }

    @Override
    public void configuration() {
        routeConfiguration(ID)
            .onException(InvalidMessageException.class)
                .handled(true)
                .to(DEAD_LETTER)
            .end()
            // Handed back to the source, which retries with back-off and logs the episode: one line per
            // failure here, not a stack trace with the message history per message and attempt.
            .onException(DatabaseUnavailableException.class)
                .handled(false)
                .logStackTrace(false)
                .logExhaustedMessageHistory(false)
            .end()
            .onException(Exception.class)
                .logStackTrace(false)
                .logExhaustedMessageHistory(false)
                .handled((org.apache.camel.Predicate) method(budget, "exhausted"))
                .filter(method(budget, "exhausted"))
                    .to(DEAD_LETTER)
                .end()
            .end();

        routeConfiguration(COMMIT_ID)
            .onException(RowRejectedException.class)
                .handled(true)
                .to(DEAD_LETTER)
            .end()
            .onException(DatabaseUnavailableException.class)
                .retryWhile(method(budget, "retryUnavailableInProcess"))
                .redeliveryDelay(redelivery.initialDelay().toMillis())
                .useExponentialBackOff()
                .backOffMultiplier(redelivery.multiplier())
                .maximumRedeliveryDelay(redelivery.maxDelay().toMillis())
                .asyncDelayedRedelivery()
                .handled(false)
            .end()
            .onException(Exception.class)
                .retryWhile(method(budget, "retryInProcess"))
                .redeliveryDelay(redelivery.initialDelay().toMillis())
                .useExponentialBackOff()
                .backOffMultiplier(redelivery.multiplier())
                .maximumRedeliveryDelay(redelivery.maxDelay().toMillis())
                .asyncDelayedRedelivery()
                .handled((org.apache.camel.Predicate) method(budget, "exhausted"))
                .filter(method(budget, "exhausted"))
                    .to(DEAD_LETTER)
                .end()
            .end();
    }
}
