package routes.source.http;

import java.util.List;
import java.util.concurrent.ExecutorService;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import routes.pipeline.BatchAggregator;
import routes.pipeline.BatchFailedException;
import routes.pipeline.IngestEvent;
import routes.pipeline.IngestExchange;
import routes.pipeline.InvalidMessageException;
import routes.pipeline.RowRejectedException;

/**
 * HTTP → PostgreSQL: {@code POST /v1/events} answers 202 only once every event of the request is
 * committed (or, with {@code publish-to}, confirmed by the broker); 400 for invalid input; 503 when
 * the events are not safe. A request is committed as one unit ({@link HttpRequestCommit}); when that
 * fails for a reason an event may carry, or its status is tracked, its events go one by one through
 * the shared pipeline ({@code direct:ingest}). Java rather than YAML: its answers are per-status logic.
 */
@Component
@ConditionalOnProperty(prefix = "ingest.sources.http", name = "enabled", havingValue = "true", matchIfMissing = true)
public class HttpSourceRoute extends RouteBuilder {

    public static final String ROUTE_ID = "http-source";
    private static final String COUNT = "ingestAcceptedCount";
    private static final String PARSED = "ingestParsedEvents";
    private static final String REQUEST = "ingestHttpRequest";
    private static final String EACH_EVENT = "direct:http-each-event";

    private final HttpPublisher publisher;
    private final HttpRequestCommit requestCommit;
    private final BatchAggregator batchAggregator;

    public HttpSourceRoute(HttpPublisher publisher, HttpRequestCommit requestCommit, BatchAggregator batchAggregator) {
        this.publisher = publisher;
        this.requestCommit = requestCommit;
        this.batchAggregator = batchAggregator;
    }

    @Override
    public void configure() {
        from("platform-http:/v1/events?httpMethodRestrict=POST")
            .routeId(ROUTE_ID)
            .onException(InvalidMessageException.class)
                .handled(true)
                .bean(HttpResponses.class, "invalid")
            .end()
            .onException(Exception.class)
                .handled(true)
                .bean(HttpResponses.class, "unavailable")
            .end()
            .setProperty(IngestExchange.SOURCE, constant("http"))
            .setProperty(IngestExchange.QUEUE, constant("/v1/events"))
            .bean(HttpEventsReader.class, "read")
            .setProperty(COUNT, simple("${body.parsed.size}"))
            .choice()
                .when(method(publisher, "publishing"))
                    .bean(publisher, "publish")
                .when(method(requestCommit, "applies"))
                    .setProperty(REQUEST, body())
                    .doTry()
                        // The whole request's rows as one unit of the batch: completes after the commit.
                        .bean(requestCommit, "prepareRows")
                        .process(batchAggregator)
                        .bean(requestCommit, "committed")
                    .doCatch(RowRejectedException.class, BatchFailedException.class)
                        // Event by event instead: only the event at fault is retried or dead-lettered.
                        .setBody(exchangeProperty(REQUEST))
                        .to(EACH_EVENT)
                    .end()
                .endChoice()
                .otherwise()
                    .to(EACH_EVENT)
            .end()
            .bean(HttpResponses.class, "accepted(${exchange}, ${exchangeProperty." + COUNT + "})");

        // Each event of the request through the shared pipeline (direct:ingest), all at once.
        from(EACH_EVENT)
            .routeId("http-each-event")
            // Failures go back to the request route as they are: its onException answers them.
            .errorHandler(noErrorHandler())
            // Off the calling thread: after a failed unit write that is a batch writer, and the split below
            // (caller-runs when its pool is full) waits for the aggregator's permits, which only the
            // writers give back. The pool is unbounded in threads (at most one per running request), so
            // nothing is ever rejected back onto the caller.
            .threads().executorService(eachEventPool())
            // The request's HTTP headers would be copied into every event's exchange: drop them.
            .removeHeaders("*")
            .setProperty(PARSED, simple("${body.parsed}"))
            .split(simple("${body.events}"), new FirstFailure())
                .parallelProcessing()
                .process(HttpSourceRoute::toPipelineMessage)
                .to("direct:ingest")
            .end();
    }

    /** The threads that take a request's events event by event (Camel-managed: shut down with the context). */
    private ExecutorService eachEventPool() {
        return getContext().getExecutorServiceManager().newCachedThreadPool(this, "http-each-event");
    }

    /**
     * One event's exchange: its JSON is the body (and the original message, for the dead letters); its
     * validated form rides along so the pipeline need not parse it again.
     */
    @SuppressWarnings("unchecked")
    static void toPipelineMessage(Exchange exchange) {
        List<IngestEvent> parsed = exchange.getProperty(PARSED, List.class);
        int index = exchange.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        exchange.removeProperty(PARSED);
        exchange.setProperty(IngestExchange.SOURCE, "http");
        exchange.setProperty(IngestExchange.QUEUE, "/v1/events");
        exchange.setProperty(IngestExchange.EVENT, parsed.get(index));
    }

    /** Keeps the request exchange and fails it when any event failed, so the client is not told 202. */
    static final class FirstFailure implements AggregationStrategy {
        @Override
        public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
            Exchange result = oldExchange == null ? newExchange : oldExchange;
            if (newExchange.getException() != null && result.getException() == null) {
                result.setException(newExchange.getException());
            }
            return result;
        }
    }
}
