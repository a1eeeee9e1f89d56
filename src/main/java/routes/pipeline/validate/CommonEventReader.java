package routes.pipeline.validate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads the common message — one valid event, not an envelope — in one pass over the JSON tokens,
 * without building a tree: the tree was the largest cost of validating a message in the benchmarks'
 * profiles. It answers null for anything else (an envelope, a null, a field twice, any broken rule,
 * malformed JSON), and {@link EventParser} then reads the message as a tree, which gives the same
 * event or names every broken field. {@code CommonEventReaderTest} holds both to the same answers.
 */
final class CommonEventReader {

    private static final int EVENT_ID = 1;
    private static final int DEVICE_ID = 2;
    private static final int PROTOCOL = 4;
    private static final int TIMESTAMP = 8;
    private static final int TRACE_ID = 16;
    private static final int METRICS = 32;

    private final ObjectMapper mapper;

    CommonEventReader(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The event, or null when the message is not a valid plain event (the tree reader decides then). */
    IngestEvent read(byte[] body) {
        try (JsonParser p = mapper.getFactory().createParser(body)) {
            return event(p);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private IngestEvent event(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        int seen = 0;
        String eventId = null;
        String protocol = null;
        String traceId = null;
        String rawTimestamp = null;
        UUID deviceId = null;
        List<IngestEvent.Metric> metrics = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            int field = switch (name) {
                case "event_id" -> EVENT_ID;
                case "device_id" -> DEVICE_ID;
                case "protocol" -> PROTOCOL;
                case "source_timestamp" -> TIMESTAMP;
                case "trace_id" -> TRACE_ID;
                case "metrics" -> METRICS;
                case "event" -> -1;
                default -> 0;
            };
            if (field < 0 || (seen & field) != 0) {
                return null; // an envelope, or a field twice: the tree reader's rules apply
            }
            seen |= field;
            if (field == 0) {
                if (!StorableText.storable(name) || !skipStorable(p, value)) {
                    return null;
                }
            } else if (field == METRICS) {
                metrics = metrics(p, value);
                if (metrics == null) {
                    return null;
                }
            } else if (value != JsonToken.VALUE_STRING) {
                return null;
            } else if (field == EVENT_ID) {
                eventId = text(p, EventParser.MAX_EVENT_ID);
            } else if (field == PROTOCOL) {
                protocol = text(p, EventParser.MAX_PROTOCOL);
            } else if (field == TRACE_ID) {
                traceId = storable(p.getText());
                if (traceId == null) {
                    return null;
                }
            } else if (field == TIMESTAMP) {
                rawTimestamp = p.getText();
            } else {
                deviceId = UuidText.parse(p.getText());
                if (deviceId == null) {
                    return null;
                }
            }
            if ((field == EVENT_ID && eventId == null) || (field == PROTOCOL && protocol == null)) {
                return null;
            }
        }
        if (deviceId == null || rawTimestamp == null || metrics == null) {
            return null;
        }
        Instant timestamp;
        try {
            timestamp = Rfc3339.parse(rawTimestamp).truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            return null;
        }
        if (!Rfc3339.storable(timestamp)) {
            return null;
        }
        return new IngestEvent(eventId, deviceId, protocol, timestamp, rawTimestamp, traceId, metrics);
    }

    private List<IngestEvent.Metric> metrics(JsonParser p, JsonToken start) throws IOException {
        if (start != JsonToken.START_ARRAY) {
            return null;
        }
        List<IngestEvent.Metric> metrics = new ArrayList<>(4);
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT || metrics.size() == EventParser.MAX_METRICS) {
                return null;
            }
            IngestEvent.Metric metric = metric(p);
            if (metric == null) {
                return null;
            }
            metrics.add(metric);
        }
        return metrics.isEmpty() ? null : metrics;
    }

    private IngestEvent.Metric metric(JsonParser p) throws IOException {
        String key = null;
        Double value = null;
        Short quality = null;
        String attributes = null;
        boolean hasQuality = false;
        boolean hasAttributes = false;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            JsonToken token = p.nextToken();
            switch (name) {
                case "parameter_key" -> {
                    if (key != null || token != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    key = storable(p.getText());
                    if (key == null) {
                        return null;
                    }
                    int length = key.codePointCount(0, key.length());
                    if (length < 1 || length > EventParser.MAX_PARAMETER_KEY) {
                        return null;
                    }
                }
                case "value" -> {
                    if (value != null || !token.isNumeric() || !Double.isFinite(p.getDoubleValue())) {
                        return null;
                    }
                    value = p.getDoubleValue();
                }
                case "quality" -> {
                    if (hasQuality || token != JsonToken.VALUE_NUMBER_INT
                            || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                            || p.getLongValue() < 0 || p.getLongValue() > 255) {
                        return null;
                    }
                    hasQuality = true;
                    quality = (short) p.getIntValue();
                }
                case "attributes" -> {
                    if (hasAttributes || token != JsonToken.START_OBJECT) {
                        return null;
                    }
                    hasAttributes = true;
                    JsonNode tree = mapper.readTree(p);
                    if (!StorableText.storable(tree)) {
                        return null;
                    }
                    attributes = tree.toString();
                }
                default -> {
                    if (!StorableText.storable(name) || !skipStorable(p, token)) {
                        return null;
                    }
                }
            }
        }
        return key == null || value == null ? null : new IngestEvent.Metric(key, value, quality, attributes);
    }

    /** The string value, or null when it is over {@code maxLength} code points or cannot be stored. */
    private static String text(JsonParser p, int maxLength) throws IOException {
        String text = p.getText();
        return text.codePointCount(0, text.length()) > maxLength ? null : storable(text);
    }

    private static String storable(String text) {
        return StorableText.storable(text) ? text : null;
    }

    /**
     * Skips an ignored field's value, false when a string in it (value or field name) cannot be stored:
     * CONTRACT §1 refuses those anywhere in a message, and the tree reader names them.
     */
    private static boolean skipStorable(JsonParser p, JsonToken start) throws IOException {
        if (start == JsonToken.VALUE_STRING) {
            return StorableText.storable(p.getText());
        }
        if (start != JsonToken.START_OBJECT && start != JsonToken.START_ARRAY) {
            return true;
        }
        for (int depth = 1; depth > 0; ) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return false;
            }
            switch (t) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_STRING, FIELD_NAME -> {
                    if (!StorableText.storable(p.getText())) {
                        return false;
                    }
                }
                default -> { }
            }
        }
        return true;
    }
}
