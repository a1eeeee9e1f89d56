package routes.pipeline.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import routes.ops.IngestMetrics;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;

/**
 * Stage {@code validate} of the pipeline: parses and validates each pending message of the batch (CONTRACT
 * §1) and keeps the {@link IngestEvent} in {@link IngestExchange#EVENT}; the body stays as received. An
 * invalid message gets its {@link InvalidMessageException} (dead-lettered alone by a later step). A batch
 * marked {@link IngestExchange#ALL_OR_NONE} (an HTTP request) instead fails as a whole with every field
 * error, and none of it goes on.
 *
 * <p>The body may be bytes (brokers), or what a team's transform left: a {@link JsonNode} (HTTP's events
 * too), a String, or a Map, validated through the app's ObjectMapper. The message as received is kept in
 * {@link IngestExchange#ORIGINAL_BODY} for the dead letters (unless a step before set it).
 */
public class ValidateStage implements Processor {

    private final EventParser parser;
    private final ObjectMapper mapper;
    private final IngestMetrics metrics;

    public ValidateStage(EventParser parser, ObjectMapper mapper, IngestMetrics metrics) {
        this.parser = parser;
        this.mapper = mapper;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange batch) {
        List<Exchange> messages = MessageBatch.messages(batch);
        boolean allOrNone = batch.getProperty(IngestExchange.ALL_OR_NONE, false, Boolean.class);
        List<InvalidMessageException> invalid = allOrNone ? new ArrayList<>() : null;
        long now = System.nanoTime();
        for (Exchange message : messages) {
            if (!MessageBatch.isPending(message)) {
                continue;
            }
            String source = message.getProperty(IngestExchange.SOURCE, "unknown", String.class);
            if (message.getProperty(IngestExchange.RECEIVED_AT) == null) {
                message.setProperty(IngestExchange.RECEIVED_AT, now);
            }
            Object enqueuedAt = message.removeProperty(IngestExchange.ENQUEUED_AT);
            if (enqueuedAt instanceof Long at && at > 0) {
                metrics.queueWait(source, at);
            }
            Object body = message.getMessage().getBody();
            if (message.getProperty(IngestExchange.ORIGINAL_BODY) == null) {
                message.setProperty(IngestExchange.ORIGINAL_BODY, body);
            }
            try {
                IngestEvent event = parse(body, message.getProperty(IngestExchange.FIELD_PREFIX, "", String.class));
                message.setProperty(IngestExchange.EVENT, event);
                message.setProperty(IngestExchange.TRACE_ID, event.traceId());
            } catch (InvalidMessageException e) {
                if (allOrNone) {
                    invalid.add(e);
                    continue;
                }
                metrics.error(source, e.errorType());
                message.setException(e);
            }
        }
        if (allOrNone && !invalid.isEmpty()) {
            throw refusal(invalid, messages.size());
        }
    }

    private IngestEvent parse(Object body, String prefix) {
        if (body instanceof byte[] bytes) {
            return parser.parse(bytes);
        }
        if (body == null) {
            return parser.parse(new byte[0]);
        }
        if (body instanceof String text) {
            return parser.parse(text.getBytes(StandardCharsets.UTF_8));
        }
        JsonNode node = body instanceof JsonNode n ? n : mapper.valueToTree(body);
        return parser.parse(node, prefix);
    }

    /** One message: its own refusal; several (an array): every field error, as type {@code validation}. */
    private static InvalidMessageException refusal(List<InvalidMessageException> invalid, int messages) {
        if (messages == 1) {
            return invalid.get(0);
        }
        List<InvalidMessageException.FieldError> errors = new ArrayList<>();
        invalid.forEach(e -> errors.addAll(e.errors()));
        return new InvalidMessageException("validation", errors);
    }
}
