package routes.source.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.springframework.stereotype.Component;
import routes.pipeline.validate.EventParser;
import routes.pipeline.validate.IngestEvent;
import routes.pipeline.IngestExchange;
import routes.pipeline.validate.InvalidMessageException;
import routes.pipeline.validate.StorableText;

/**
 * Reads {@code POST /v1/events}: one event, an envelope, or an array of them. Every event is
 * validated before any is accepted; an invalid request is answered 400 with every broken field:
 * here for a request published to a broker ({@link #read}), else by the pipeline's validate stage
 * ({@link #messages}: the request as a batch, validated after the team steps that come before it).
 */
@Component
public class HttpEventsReader {

    /** The producer's id of the request's message (routes.status.MessageIds); {@code <id>:<n>} for event n of an array. */
    public static final String MESSAGE_ID = "X-Message-Id";

    private final EventParser parser;
    private final ObjectMapper mapper;
    private final HttpSourceProperties properties;

    public HttpEventsReader(EventParser parser, ObjectMapper mapper, HttpSourceProperties properties) {
        this.parser = parser;
        this.mapper = mapper;
        this.properties = properties;
    }

    public HttpEvents read(Exchange exchange) throws IOException {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw new InvalidMessageException("json", List.of(new InvalidMessageException.FieldError("$", "is empty")));
        }
        JsonNode root = parser.readTree(body);
        if (!root.isArray() && body.length > EventParser.MAX_MESSAGE_BYTES) {
            // One event alone is held to the per-message limit, as every event of an array is below.
            throw new InvalidMessageException("too_large", List.of(new InvalidMessageException.FieldError(
                    "$", "is " + body.length + " bytes, over the limit of " + EventParser.MAX_MESSAGE_BYTES)));
        }
        List<IngestEvent> events = parser.parseMany(root, properties.maxEventsPerRequest());
        HttpEvents request = new HttpEvents(() -> documents(root, body), events, eventIds(events), null);
        if (body.length > EventParser.MAX_MESSAGE_BYTES) {
            request.events(); // one of the events may be over the per-message limit: find it now (kept for later)
        }
        String traceId = exchange.getMessage().getHeader("X-Trace-Id", String.class);
        for (IngestEvent event : events) {
            if (traceId == null && event.traceId() != null) {
                traceId = event.traceId();
            }
        }
        if (traceId == null || !StorableText.storable(traceId)) {
            traceId = UUID.randomUUID().toString();
        }
        exchange.setProperty(IngestExchange.TRACE_ID, traceId);
        return new HttpEvents(request.documents(), events, request.eventIds(), traceId,
                exchange.getMessage().getHeader(MESSAGE_ID, String.class), root.isArray());
    }

    /**
     * The request as a batch for the pipeline: one message exchange per event, its body the event's JSON
     * (not validated yet: the pipeline does, after any team step that transforms it). Not JSON, too large,
     * or no events or too many: refused here (400 / 413).
     */
    public List<Exchange> messages(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw new InvalidMessageException("json", List.of(new InvalidMessageException.FieldError("$", "is empty")));
        }
        JsonNode root = parser.readTree(body);
        if (!root.isArray() && body.length > EventParser.MAX_MESSAGE_BYTES) {
            throw new InvalidMessageException("too_large", List.of(new InvalidMessageException.FieldError(
                    "$", "is " + body.length + " bytes, over the limit of " + EventParser.MAX_MESSAGE_BYTES)));
        }
        List<JsonNode> events = new ArrayList<>(root.isArray() ? root.size() : 1);
        if (root.isArray()) {
            if (root.isEmpty() || root.size() > properties.maxEventsPerRequest()) {
                throw new InvalidMessageException("validation", List.of(new InvalidMessageException.FieldError(
                        "$", "must hold 1 to " + properties.maxEventsPerRequest() + " events")));
            }
            root.forEach(events::add);
            if (body.length > EventParser.MAX_MESSAGE_BYTES) {
                documents(root, body); // one of the events may be over the per-message limit: refused if so
            }
        } else {
            events.add(root);
        }
        String traceId = exchange.getMessage().getHeader("X-Trace-Id", String.class);
        String messageId = exchange.getMessage().getHeader(MESSAGE_ID, String.class);
        List<Exchange> messages = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            if (traceId == null) {
                traceId = traceId(event);
            }
            Exchange message = new DefaultExchange(exchange.getContext());
            message.setProperty(IngestExchange.SOURCE, HttpResponses.SOURCE);
            message.setProperty(IngestExchange.QUEUE, exchange.getProperty(IngestExchange.QUEUE));
            if (root.isArray()) {
                message.setProperty(IngestExchange.FIELD_PREFIX, "[" + i + "]");
            }
            if (messageId != null && !messageId.isBlank()) {
                // The producer's id of the message (its status id): of each event, for a request of several.
                message.setProperty(IngestExchange.MESSAGE_ID, root.isArray() ? messageId + ":" + i : messageId);
            }
            message.getMessage().setBody(event);
            messages.add(message);
        }
        if (traceId == null || !StorableText.storable(traceId)) {
            traceId = UUID.randomUUID().toString();
        }
        exchange.setProperty(IngestExchange.TRACE_ID, traceId);
        exchange.setProperty(IngestExchange.ALL_OR_NONE, true);
        return messages;
    }

    /** The event's own trace_id (or its envelope's), if it has one as text. */
    private static String traceId(JsonNode event) {
        JsonNode traceId = event.get("trace_id");
        JsonNode inner = event.get("event");
        if ((traceId == null || !traceId.isTextual()) && inner != null) {
            traceId = inner.get("trace_id");
        }
        return traceId != null && traceId.isTextual() ? traceId.textValue() : null;
    }

    private static List<String> eventIds(List<IngestEvent> events) {
        List<String> eventIds = new ArrayList<>(events.size());
        for (IngestEvent event : events) {
            eventIds.add(event.eventId());
        }
        return eventIds;
    }

    /** Each event of the request as its own JSON document (the body itself for a single event). */
    private List<byte[]> documents(JsonNode root, byte[] body) {
        if (!root.isArray()) {
            return List.of(body);
        }
        List<byte[]> documents = new ArrayList<>(root.size());
        for (JsonNode node : root) {
            byte[] document;
            try {
                document = mapper.writeValueAsBytes(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write back a parsed event", e);
            }
            if (document.length > EventParser.MAX_MESSAGE_BYTES) {
                throw new InvalidMessageException("too_large", List.of(new InvalidMessageException.FieldError(
                        "[" + documents.size() + "]", "is over " + EventParser.MAX_MESSAGE_BYTES + " bytes")));
            }
            documents.add(document);
        }
        return documents;
    }
}
