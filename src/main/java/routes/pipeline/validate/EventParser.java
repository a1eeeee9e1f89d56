package routes.pipeline.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import routes.pipeline.validate.InvalidMessageException.FieldError;

/**
 * Parses and validates a message against every rule of CONTRACT §1. Reports every broken rule, each
 * with the path of its field, so that a producer can fix them all at once.
 */
public class EventParser {

    /** Messages over this size are {@code too_large}. */
    public static final int MAX_MESSAGE_BYTES = 1024 * 1024;
    public static final int MAX_METRICS = 1000;
    public static final int MAX_PARAMETER_KEY = 128;
    public static final int MAX_EVENT_ID = 200;
    public static final int MAX_PROTOCOL = 64;

    static final Pattern UUID_FORMAT =
            Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    private final ObjectMapper mapper;
    private final CommonEventReader commonEvents;

    public EventParser(ObjectMapper mapper) {
        this.mapper = mapper;
        this.commonEvents = new CommonEventReader(mapper);
    }

    /** Parses one message (an event or a collector envelope). */
    public IngestEvent parse(byte[] body) {
        if (body.length > MAX_MESSAGE_BYTES) {
            throw new InvalidMessageException("too_large",
                    List.of(new FieldError("$", "is " + body.length + " bytes, over the limit of " + MAX_MESSAGE_BYTES)));
        }
        IngestEvent common = commonEvents.read(body);
        return common != null ? common : parse(readTree(body), "");
    }

    /** As {@link #parse(byte[])}, always through the JSON tree (the reference the one-pass reader is held to). */
    IngestEvent parseAsTree(byte[] body) {
        return parse(readTree(body), "");
    }

    /** Parses the body of {@code POST /v1/events}: one event, an envelope, or an array of them. */
    public List<IngestEvent> parseMany(byte[] body, int maxEvents) {
        return parseMany(readTree(body), maxEvents);
    }

    /** As {@link #parseMany(byte[], int)}, on an already parsed document. */
    public List<IngestEvent> parseMany(JsonNode root, int maxEvents) {
        if (!root.isArray()) {
            return List.of(parse(root, ""));
        }
        if (root.isEmpty() || root.size() > maxEvents) {
            throw new InvalidMessageException("validation",
                    List.of(new FieldError("$", "must hold 1 to " + maxEvents + " events")));
        }
        List<IngestEvent> events = new ArrayList<>(root.size());
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            try {
                events.add(parse(root.get(i), "[" + i + "]"));
            } catch (InvalidMessageException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidMessageException("validation", errors);
        }
        return events;
    }

    /** Parses JSON into a tree; not JSON is an {@link InvalidMessageException} of type {@code json}. */
    public JsonNode readTree(byte[] body) {
        try {
            JsonNode root = mapper.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw new InvalidMessageException("json", List.of(new FieldError("$", "is empty")));
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidMessageException("json",
                    List.of(new FieldError("$", "is not valid JSON: " + e.getOriginalMessage())));
        } catch (java.io.IOException e) {
            throw new InvalidMessageException("json", List.of(new FieldError("$", "cannot be read: " + e.getMessage())));
        }
    }

    /**
     * Validates one event (or envelope) already parsed as JSON, e.g. an element of an HTTP request or the
     * output of a team's transform; {@code prefix} is its path in the request ("" or "[i]") for the field errors.
     */
    public IngestEvent parse(JsonNode root, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        if (!root.isObject()) {
            throw new InvalidMessageException("validation", List.of(new FieldError(path(prefix, "$"), "must be a JSON object")));
        }
        JsonNode event = root;
        String eventPrefix = prefix;
        StorableText.check(root, prefix, errors);
        String traceId = optionalText(root, "trace_id", prefix, Integer.MAX_VALUE, errors);
        if (isEnvelope(root)) {
            event = root.get("event");
            eventPrefix = prefix.isEmpty() ? "event" : prefix + ".event";
            if (!event.isObject()) {
                throw new InvalidMessageException("validation",
                        List.of(new FieldError(eventPrefix, "must be a JSON object")));
            }
            String inner = optionalText(event, "trace_id", eventPrefix, Integer.MAX_VALUE, errors);
            traceId = traceId != null ? traceId : inner;
        }
        String eventId = optionalText(event, "event_id", eventPrefix, MAX_EVENT_ID, errors);
        String protocol = optionalText(event, "protocol", eventPrefix, MAX_PROTOCOL, errors);
        UUID deviceId = deviceId(event, eventPrefix, errors);
        String rawTimestamp = null;
        Instant timestamp = null;
        JsonNode ts = event.get("source_timestamp");
        if (ts == null || ts.isNull()) {
            errors.add(new FieldError(path(eventPrefix, "source_timestamp"), "is required"));
        } else if (!ts.isTextual()) {
            errors.add(new FieldError(path(eventPrefix, "source_timestamp"), "must be an RFC 3339 string"));
        } else {
            rawTimestamp = ts.textValue();
            try {
                timestamp = Rfc3339.parse(rawTimestamp).truncatedTo(ChronoUnit.MICROS);
                if (!Rfc3339.storable(timestamp)) {
                    errors.add(new FieldError(path(eventPrefix, "source_timestamp"),
                            "must fall in years 0001 to 9999 (UTC), got '" + abbreviate(rawTimestamp) + "'"));
                }
            } catch (DateTimeParseException e) {
                errors.add(new FieldError(path(eventPrefix, "source_timestamp"),
                        "must be RFC 3339 with an offset or Z, got '" + abbreviate(rawTimestamp) + "'"));
            }
        }
        List<IngestEvent.Metric> metrics = metrics(event, eventPrefix, errors);
        if (!errors.isEmpty()) {
            throw new InvalidMessageException("validation", errors);
        }
        return new IngestEvent(eventId, deviceId, protocol, timestamp, rawTimestamp, traceId, metrics);
    }

    /**
     * The collector envelope is {@code {"event": {...}, "trace_id": ...}}: a message with an {@code event}
     * field and none of the event's own required fields. A message with any of them is an event, and an
     * {@code event} field in it is an unknown field, ignored like any other.
     */
    private static boolean isEnvelope(JsonNode root) {
        return root.has("event") && !root.has("device_id") && !root.has("source_timestamp") && !root.has("metrics");
    }

    private UUID deviceId(JsonNode event, String prefix, List<FieldError> errors) {
        JsonNode node = event.get("device_id");
        String field = path(prefix, "device_id");
        if (node == null || node.isNull()) {
            errors.add(new FieldError(field, "is required"));
        } else if (!node.isTextual() || !UUID_FORMAT.matcher(node.textValue()).matches()) {
            errors.add(new FieldError(field, "must be a UUID"));
        } else {
            return UUID.fromString(node.textValue());
        }
        return null;
    }

    private List<IngestEvent.Metric> metrics(JsonNode event, String prefix, List<FieldError> errors) {
        JsonNode node = event.get("metrics");
        String field = path(prefix, "metrics");
        if (node == null || node.isNull()) {
            errors.add(new FieldError(field, "is required"));
            return List.of();
        }
        if (!node.isArray() || node.isEmpty() || node.size() > MAX_METRICS) {
            errors.add(new FieldError(field, "must be an array of 1 to " + MAX_METRICS + " metrics"));
            return List.of();
        }
        List<IngestEvent.Metric> metrics = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode m = node.get(i);
            if (!m.isObject()) {
                errors.add(new FieldError(at, "must be a JSON object"));
                continue;
            }
            int before = errors.size();
            String key = null;
            JsonNode keyNode = m.get("parameter_key");
            if (keyNode == null || keyNode.isNull()) {
                errors.add(new FieldError(at + ".parameter_key", "is required"));
            } else if (!keyNode.isTextual()) {
                errors.add(new FieldError(at + ".parameter_key", "must be a string"));
            } else {
                key = keyNode.textValue();
                int length = key.codePointCount(0, key.length());
                if (length < 1 || length > MAX_PARAMETER_KEY) {
                    errors.add(new FieldError(at + ".parameter_key", "must be 1 to " + MAX_PARAMETER_KEY + " characters"));
                }
            }
            double value = 0;
            JsonNode valueNode = m.get("value");
            if (valueNode == null || valueNode.isNull()) {
                errors.add(new FieldError(at + ".value", "is required"));
            } else if (!valueNode.isNumber() || !Double.isFinite(valueNode.doubleValue())) {
                errors.add(new FieldError(at + ".value", "must be a finite number"));
            } else {
                value = valueNode.doubleValue();
            }
            Short quality = null;
            JsonNode q = m.get("quality");
            if (q != null && !q.isNull()) {
                if (!q.isIntegralNumber() || q.asLong() < 0 || q.asLong() > 255) {
                    errors.add(new FieldError(at + ".quality", "must be an integer from 0 to 255"));
                } else {
                    quality = (short) q.asInt();
                }
            }
            String attributes = null;
            JsonNode a = m.get("attributes");
            if (a != null && !a.isNull()) {
                if (!a.isObject()) {
                    errors.add(new FieldError(at + ".attributes", "must be a JSON object"));
                } else {
                    attributes = a.toString();
                }
            }
            if (errors.size() == before) {
                metrics.add(new IngestEvent.Metric(key, value, quality, attributes));
            }
        }
        return metrics;
    }

    private static String optionalText(JsonNode node, String name, String prefix, int maxLength, List<FieldError> errors) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            errors.add(new FieldError(path(prefix, name), "must be a string"));
            return null;
        }
        String text = value.textValue();
        if (text.codePointCount(0, text.length()) > maxLength) {
            errors.add(new FieldError(path(prefix, name), "must be at most " + maxLength + " characters"));
            return null;
        }
        return text;
    }

    private static String path(String prefix, String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }

    /** At most 40 characters of a value quoted in a message, written so that the message itself can be stored. */
    private static String abbreviate(String s) {
        return StorableText.printable(s.length() > 40 ? s.substring(0, 40) + "…" : s);
    }

    /** Decodes a body as UTF-8 for logs and dead letters. */
    public static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
