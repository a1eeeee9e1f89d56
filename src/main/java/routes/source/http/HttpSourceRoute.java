package routes.source.http;

import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import routes.pipeline.IngestExchange;
import routes.pipeline.validate.InvalidMessageException;

/**
 * HTTP → the one pipeline: {@code POST /v1/events} becomes a batch exchange of its events (one message
 * exchange each) sent to {@code direct:ingest}, like a broker's batch. It is answered 202 only once every
 * event is committed (or durably parked in the dead letters); 400 for an invalid request (the pipeline's
 * validate stage refuses it as a whole, with every field error, and writes nothing of it); 503 when an
 * event is not safe. With {@code publish-to}, the validated events go to that broker instead, each with a
 * confirm, and the broker's route feeds the pipeline. Java rather than YAML: its answers are per-status logic.
 */
@Component
@ConditionalOnProperty(prefix = "ingest.sources.http", name = "enabled", havingValue = "true", matchIfMissing = true)
public class HttpSourceRoute extends RouteBuilder {

    public static final String ROUTE_ID = "http-source";
    private static final String COUNT = "ingestAcceptedCount";

    private final HttpPublisher publisher;

    public HttpSourceRoute(HttpPublisher publisher) {
        this.publisher = publisher;
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
            .choice()
                .when(method(publisher, "publishing"))
                    .bean(HttpEventsReader.class, "read")
                    .setProperty(COUNT, simple("${body.parsed.size}"))
                    .bean(publisher, "publish")
                .otherwise()
                    .bean(HttpEventsReader.class, "messages")
                    .setProperty(COUNT, simple("${body.size}"))
                    .to("direct:ingest")
                    .process(HttpSourceRoute::settled)
            .end()
            .bean(HttpResponses.class, "accepted(${exchange}, ${exchangeProperty." + COUNT + "})");
    }

    /** Every event of the request is committed, a duplicate, filtered or dead-lettered; else the first failure (503). */
    @SuppressWarnings("unchecked")
    static void settled(Exchange request) throws Exception {
        for (Exchange event : (List<Exchange>) request.getMessage().getBody(List.class)) {
            if (event.getException() != null) {
                throw event.getException();
            }
        }
    }
}
