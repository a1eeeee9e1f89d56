package routes.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import routes.ops.IngestMetrics;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.validate.EventParser;
import routes.pipeline.validate.InvalidMessageException;

/**
 * Route http-source as shipped (routes/http-source.camel.yaml) with its answers (route configuration
 * http-answers), its platform-http consumer replaced by {@code direct:http} and the pipeline by a stand-in:
 * 202 when every event has its outcome, 503 when one failed, 400 for a request the pipeline refuses or that
 * is not JSON. No service, no web server.
 */
class HttpSourceRouteTest extends CamelTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext camel = super.createCamelContext();
        HttpSourceProperties properties = new HttpSourceProperties(true, "none", 10_000, 16_777_216, false);
        camel.getRegistry().bind("httpResponses", new HttpResponses(JSON, new IngestMetrics(new SimpleMeterRegistry())));
        camel.getRegistry().bind("httpEventsReader", new HttpEventsReader(new EventParser(JSON), JSON, properties));
        camel.getRegistry().bind("httpPublisher", new HttpPublisher(null, properties, null));
        camel.getPropertiesComponent().addInitialProperty("ingest.sources.http.enabled", "true");
        return camel;
    }

    @BeforeEach
    void routes() throws Exception {
        if (context.isStarted()) {
            return;
        }
        PluginHelper.getRoutesLoader(context).loadRoutes(PluginHelper.getResourceLoader(context)
                .resolveResource("classpath:routes/http-source.camel.yaml"));
        // The pipeline's stand-in: "refuse-all" → the request refused as a whole; "fail" → that event fails.
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                errorHandler(noErrorHandler()); // as route ingest: a failure goes back to its caller as it is
                from("direct:ingest").routeId("ingest-stand-in").process(this::pipeline);
            }

            @SuppressWarnings("unchecked")
            void pipeline(Exchange request) {
                for (Exchange event : (List<Exchange>) request.getMessage().getBody(List.class)) {
                    String id = event.getMessage().getBody(JsonNode.class).path("event_id").asText();
                    if (id.equals("refuse-all")) {
                        throw new InvalidMessageException("validation", List.of(
                                new InvalidMessageException.FieldError("[0].device_id", "is missing")));
                    }
                    if (id.equals("fail")) {
                        event.setException(new IllegalStateException("database down"));
                    } else {
                        MessageBatch.settle(event, MessageOutcome.COMMITTED);
                    }
                }
            }
        });
        AdviceWith.adviceWith(context, "http-source", route -> route.replaceFromWith("direct:http"));
        context.start();
    }

    Exchange post(String body) {
        return template.send("direct:http", e -> e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8)));
    }

    static String events(String... ids) {
        StringBuilder body = new StringBuilder("[");
        for (String id : ids) {
            body.append(body.length() == 1 ? "" : ",").append("{\"event_id\":\"").append(id).append("\"}");
        }
        return body.append(']').toString();
    }

    static int status(Exchange answer) {
        return answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    @Test
    void everyEventWithItsOutcomeIsAnswered202WithTheCount() throws Exception {
        Exchange answer = post(events("a", "b"));

        assertThat(status(answer)).isEqualTo(202);
        assertThat(JSON.readTree(answer.getMessage().getBody(String.class)).get("accepted").asInt()).isEqualTo(2);
        assertThat(answer.getProperty("ingestSource")).isEqualTo("http");
    }

    @Test
    void anEventThatFailedIsAnswered503() throws Exception {
        Exchange answer = post(events("a", "fail"));

        assertThat(status(answer)).isEqualTo(503);
        assertThat(answer.getMessage().getBody(String.class)).contains("database down");
    }

    @Test
    void aRequestThePipelineRefusesIsAnswered400WithItsFieldErrors() throws Exception {
        Exchange answer = post(events("refuse-all"));

        assertThat(status(answer)).isEqualTo(400);
        assertThat(answer.getMessage().getBody(String.class)).contains("[0].device_id").contains("is missing");
    }

    @Test
    void aBodyThatIsNotJsonIsAnswered400() throws Exception {
        Exchange answer = post("{not json");

        assertThat(status(answer)).isEqualTo(400);
        assertThat(JSON.readTree(answer.getMessage().getBody(String.class)).get("error").asText()).isEqualTo("json");
    }
}
