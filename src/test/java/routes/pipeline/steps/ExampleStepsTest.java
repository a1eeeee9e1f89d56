package routes.pipeline.steps;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import routes.pipeline.validate.EventParser;
import routes.pipeline.validate.IngestEvent;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.StepFailedException;

/**
 * The example team steps of docs/examples/routes, loaded as the app loads them (YAML) and run through
 * {@code per-message:} on a batch: what each does to each message, with no service. Their ITs
 * (routes.pipeline.steps.TeamStepsIT) run them in the app against a real broker.
 */
class ExampleStepsTest extends CamelTestSupport {

    static final Path EXAMPLES = Path.of("docs/examples/routes");
    static final String DEVICE = "0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11";
    static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext camel = super.createCamelContext();
        camel.addComponent(PerMessageComponent.NAME, new PerMessageComponent());
        return camel;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:before").to("per-message:direct:before-validation");
                from("direct:after").to("per-message:direct:after-validation");
            }
        };
    }

    void load(String example) throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(
                ResourceHelper.resolveMandatoryResource(context, "file:" + EXAMPLES.resolve(example)));
    }

    List<Exchange> run(String pipeline, Object... bodies) {
        List<Exchange> messages = new ArrayList<>();
        for (Object body : bodies) {
            Exchange message = new DefaultExchange(context);
            message.getMessage().setBody(body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : body);
            messages.add(message);
        }
        template.send(pipeline, e -> e.getMessage().setBody(messages));
        return messages;
    }

    static JsonNode json(Exchange message) throws Exception {
        return JSON.readTree(message.getMessage().getBody(String.class));
    }

    static String contractEvent(String device) {
        return "{\"device_id\":\"" + device + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\","
                + "\"metrics\":[{\"parameter_key\":\"v\",\"value\":1,\"attributes\":{\"unit\":\"V\"}}]}";
    }

    @Test
    void theTransformMapsTheTeamsShapeIntoAnEventTheParserAccepts() throws Exception {
        load("team-transform.camel.yaml");
        String team = "{\"dev\":\"" + DEVICE + "\",\"ts\":\"2026-11-22T10:15:30Z\",\"seq\":17,"
                + "\"readings\":{\"temp\":21.5,\"hum\":40}}";
        String contract = contractEvent(DEVICE);

        List<Exchange> messages = run("direct:before", team, contract, "not json");

        IngestEvent event = new EventParser(JSON).parse(messages.get(0).getMessage().getBody(byte[].class));
        assertThat(event.deviceId()).isEqualTo(UUID.fromString(DEVICE));
        assertThat(event.eventId()).isEqualTo(DEVICE + "-17");
        assertThat(event.protocol()).isEqualTo("acme");
        assertThat(event.metrics()).extracting(IngestEvent.Metric::parameterKey, IngestEvent.Metric::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("temp", 21.5), org.assertj.core.groups.Tuple.tuple("hum", 40.0));
        assertThat(new String(messages.get(0).getProperty(IngestExchange.ORIGINAL_BODY, byte[].class),
                StandardCharsets.UTF_8)).as("the dead letter keeps what was received").isEqualTo(team);
        assertThat(messages.get(1).getMessage().getBody(String.class)).as("other shapes untouched").isEqualTo(contract);
        assertThat(messages.get(2).getException()).as("not JSON: left to validation").isNull();
        assertThat(messages).allMatch(MessageBatch::isPending);
    }

    @Test
    void aMessageInTheTeamsShapeThatJqCannotMapFailsAloneNamingTheStep() {
        loadExample("team-transform.camel.yaml");
        String broken = "{\"dev\":\"" + DEVICE + "\",\"readings\": [1, 2"; // cut short

        List<Exchange> messages = run("direct:before", broken, contractEvent(DEVICE));

        assertThat(messages.get(0).getException()).isInstanceOf(StepFailedException.class);
        assertThat(((StepFailedException) messages.get(0).getException()).step()).isEqualTo("acme-shape");
        assertThat(MessageBatch.isPending(messages.get(1))).isTrue();
    }

    @Test
    void theFilterDropsTestDevicesOnly() throws Exception {
        load("team-filter.camel.yaml");
        EventParser parser = new EventParser(JSON);
        List<Exchange> messages = new ArrayList<>();
        for (String device : List.of(DEVICE, "00000000-0000-4000-8000-000000000001")) {
            Exchange message = new DefaultExchange(context);
            byte[] body = contractEvent(device).getBytes(StandardCharsets.UTF_8);
            message.getMessage().setBody(body);
            message.setProperty(IngestExchange.EVENT, parser.parse(body));
            messages.add(message);
        }

        template.send("direct:after", e -> e.getMessage().setBody(messages));

        assertThat(MessageBatch.isPending(messages.get(0))).isTrue();
        assertThat(MessageBatch.outcome(messages.get(1))).isEqualTo(MessageOutcome.FILTERED);
        assertThat(messages).allMatch(m -> m.getException() == null);
    }

    @Test
    void theEnrichmentSetsAPropertyAndALaterStepPutsItInEveryMetricsAttributes() throws Exception {
        load("team-enrichment.camel.yaml");
        String envelope = "{\"trace_id\":\"t-1\",\"event\":" + contractEvent(DEVICE) + "}";

        List<Exchange> messages = run("direct:before", contractEvent(DEVICE), envelope, "not json");

        assertThat(messages.get(0).getProperty("site")).isEqualTo("plant-7");
        assertThat(json(messages.get(0)).at("/metrics/0/attributes")).isEqualTo(JSON.readTree("{\"unit\":\"V\",\"site\":\"plant-7\"}"));
        assertThat(json(messages.get(1)).at("/event/metrics/0/attributes/site").asText()).isEqualTo("plant-7");
        assertThat(json(messages.get(1)).at("/trace_id").asText()).isEqualTo("t-1");
        IngestEvent parsed = new EventParser(JSON).parse(messages.get(1).getMessage().getBody(byte[].class));
        assertThat(parsed.metrics().get(0).attributesJson()).contains("plant-7");
        assertThat(messages.get(2).getException()).isNull();
    }

    /** docs/routes.md says JSONata works too: the same mapping as a camel-jsonata template. */
    @Test
    void jsonataMapsTheSameShape(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path template = dir.resolve("acme.jsonata");
        java.nio.file.Files.writeString(template, """
                {"device_id": dev, "source_timestamp": ts, "protocol": "acme",
                 "metrics": [$each(readings, function($v, $k) {{"parameter_key": $k, "value": $v}})]}
                """);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:before-validation").routeId("acme-jsonata")
                        .to("jsonata:file:" + template + "?inputType=JsonString&outputType=JsonString");
            }
        });
        String team = "{\"dev\":\"" + DEVICE + "\",\"ts\":\"2026-11-22T10:15:30Z\",\"readings\":{\"temp\":21.5}}";

        List<Exchange> messages = run("direct:before", team);

        IngestEvent event = new EventParser(JSON).parse(messages.get(0).getMessage().getBody(byte[].class));
        assertThat(event.metrics()).extracting(IngestEvent.Metric::parameterKey).containsExactly("temp");
        assertThat(event.protocol()).isEqualTo("acme");
    }

    void loadExample(String example) {
        try {
            load(example);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
