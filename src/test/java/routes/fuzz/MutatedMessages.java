package routes.fuzz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import routes.pipeline.validate.EventParser;

/**
 * Generators of realistic broken messages for the fuzz tests: valid events (CONTRACT §1) built from
 * their parts, then mutated the ways a faulty producer, a proxy or a bit flip would break them: in the
 * tree (odd values, missing or unknown fields, strings the database cannot store, broken envelopes,
 * non-objects), in the text (truncated, a character replaced, a field repeated) and in the bytes (a bit
 * flipped, bytes that are not UTF-8). Every event has its own device and event id, so that no two
 * generated messages share a row key unless a test repeats one on purpose.
 */
public final class MutatedMessages {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Stands for a lone surrogate written as its JSON escape (backslash, u, dbff), which a JSON writer would not write. */
    private static final String LONE_SURROGATE = "@lone-surrogate@";
    /** Stands for a raw JSON text that a tree cannot hold (1e999, deep nesting...): replaced after writing. */
    private static final String RAW = "\u0001raw:";

    /** How the tree of a valid event is changed. */
    public enum TreeMutation { NONE, ENVELOPE, EXTRA_FIELDS, ODD_VALUE, DROP_FIELD, UNSTORABLE, BROKEN_ENVELOPE, NOT_OBJECT, OVERSIZED }

    /** How its JSON text is changed. */
    public enum TextMutation { NONE, TRUNCATE, REPLACE_CHAR, REPEAT_FIELD, SURROUND_WHITESPACE }

    /** How its bytes are changed (only where a source must take any bytes). */
    public enum ByteMutation { NONE, FLIP_BITS, NOT_UTF8 }

    private MutatedMessages() {
    }

    /** Broker messages: mutated in the tree and the text, always valid UTF-8. */
    public static Arbitrary<byte[]> textMessages() {
        return Combinators.combine(validEvents(), treeMutations(), textMutations(), Arbitraries.longs())
                .as((event, tree, text, seed) -> {
                    Random random = new Random(seed);
                    return mutateText(mutateTree(event, tree, random), text, random).getBytes(StandardCharsets.UTF_8);
                });
    }

    /** Any message: also with bits flipped and bytes that are not UTF-8. */
    public static Arbitrary<byte[]> messages() {
        return Combinators.combine(textMessages(), byteMutations(), Arbitraries.longs())
                .as((message, bytes, seed) -> mutateBytes(message, bytes, new Random(seed)));
    }

    /** {@code POST /v1/events} bodies: a mutated message, or an array of events each mutated in its tree. */
    public static Arbitrary<byte[]> httpBodies() {
        Arbitrary<byte[]> arrays = Combinators.combine(
                        Combinators.combine(validEvents(), treeMutations()).as(Tuple::of).list().ofMinSize(1).ofMaxSize(4),
                        textMutations(), byteMutations(), Arbitraries.longs())
                .as((events, text, bytes, seed) -> {
                    Random random = new Random(seed);
                    List<String> each = new ArrayList<>();
                    for (Tuple.Tuple2<ObjectNode, TreeMutation> e : events) {
                        each.add(mutateTree(e.get1(), e.get2(), random));
                    }
                    String array = mutateText("[" + String.join(",", each) + "]", text, random);
                    return mutateBytes(array.getBytes(StandardCharsets.UTF_8), bytes, random);
                });
        return Arbitraries.frequencyOf(Tuple.of(7, messages()), Tuple.of(3, arrays));
    }

    /** A valid event with 1 to 4 metrics, its own device and event id. */
    public static Arbitrary<ObjectNode> validEvents() {
        Arbitrary<String> protocol = Arbitraries.of("modbus", "opcua", "mqtt", "bacnet", "ünïcødé-ß").injectNull(0.3);
        Arbitrary<Boolean> withEventId = Arbitraries.of(true, true, false);
        Arbitrary<String> traceId = Arbitraries.strings().alpha().numeric().withChars('-').ofMinLength(1).ofMaxLength(16).injectNull(0.7);
        return Combinators.combine(withEventId, protocol, timestamps(), metric().list().ofMinSize(1).ofMaxSize(4), traceId,
                        // no edge cases (0, -1, MAX...): those would give many events the same ids
                        Arbitraries.longs().withoutEdgeCases(), Arbitraries.longs().withoutEdgeCases())
                .as((eventId, proto, timestamp, metrics, trace, high, low) -> {
                    ObjectNode event = NODES.objectNode();
                    UUID device = uuid(high, low);
                    if (eventId) {
                        event.put("event_id", "fz-" + uuid(low, high));
                    }
                    event.put("device_id", device.toString());
                    if (proto != null) {
                        event.put("protocol", proto);
                    }
                    event.put("source_timestamp", timestamp);
                    ArrayNode array = event.putArray("metrics");
                    metrics.forEach(array::add);
                    if (trace != null) {
                        event.put("trace_id", trace);
                    }
                    return event;
                });
    }

    /** RFC 3339 instants, with and without fractions, in UTC or at an offset, near the edges of the years allowed. */
    static Arbitrary<String> timestamps() {
        Arbitrary<Integer> year = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.integers().between(2000, 2030)),
                Tuple.of(1, Arbitraries.of(1, 2, 1970, 9998, 9999)));
        Arbitrary<String> fraction = Arbitraries.of("", ".250", ".123456", ".123456789", ".1");
        Arbitrary<String> offset = Arbitraries.of("Z", "Z", "+01:00", "-05:30", "+14:00", "z");
        return Combinators.combine(year, Arbitraries.integers().between(1, 12), Arbitraries.integers().between(1, 28),
                        Arbitraries.integers().between(0, 86_399), fraction, offset)
                .as((y, month, day, second, f, o) -> String.format("%04d-%02d-%02dT%02d:%02d:%02d%s%s",
                        y, month, day, second / 3600, second / 60 % 60, second % 60, f, o))
                // an offset that would move years 0001 or 9999 out of range in UTC is a case of its own (UNSTORABLE)
                .filter(t -> !(t.startsWith("0001-01-01T0") || t.startsWith("9999-12-31T")) || t.endsWith("Z"));
    }

    static Arbitrary<ObjectNode> metric() {
        Arbitrary<String> key = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of("voltage", "current", "temp", "rpm")),
                Tuple.of(2, Arbitraries.strings().alpha().numeric().withChars("_.-/ ").ofMinLength(1).ofMaxLength(128)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\u00a0', '\ud7ff').ofMinLength(1).ofMaxLength(20)));
        Arbitrary<Double> value = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.doubles().between(-1e6, 1e6)),
                Tuple.of(1, Arbitraries.of(0.0, -0.0, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, 123456789.123)));
        Arbitrary<Integer> quality = Arbitraries.integers().between(0, 255).injectNull(0.5);
        Arbitrary<String> unit = Arbitraries.of("V", "A", "°C", "kWh").injectNull(0.5);
        return Combinators.combine(key, value, quality, unit).as((k, v, q, u) -> {
            ObjectNode m = NODES.objectNode();
            m.put("parameter_key", k);
            m.put("value", v);
            if (q != null) {
                m.put("quality", q);
            }
            if (u != null) {
                m.putObject("attributes").put("unit", u).putArray("tags").add("a").add(1);
            }
            return m;
        });
    }

    static Arbitrary<TreeMutation> treeMutations() {
        return Arbitraries.frequency(Tuple.of(4, TreeMutation.NONE), Tuple.of(2, TreeMutation.ENVELOPE),
                Tuple.of(2, TreeMutation.EXTRA_FIELDS), Tuple.of(3, TreeMutation.ODD_VALUE), Tuple.of(2, TreeMutation.DROP_FIELD),
                Tuple.of(2, TreeMutation.UNSTORABLE), Tuple.of(2, TreeMutation.BROKEN_ENVELOPE), Tuple.of(1, TreeMutation.NOT_OBJECT),
                Tuple.of(1, TreeMutation.OVERSIZED));
    }

    static Arbitrary<TextMutation> textMutations() {
        return Arbitraries.frequency(Tuple.of(8, TextMutation.NONE), Tuple.of(2, TextMutation.TRUNCATE),
                Tuple.of(2, TextMutation.REPLACE_CHAR), Tuple.of(1, TextMutation.REPEAT_FIELD),
                Tuple.of(1, TextMutation.SURROUND_WHITESPACE));
    }

    static Arbitrary<ByteMutation> byteMutations() {
        return Arbitraries.frequency(Tuple.of(8, ByteMutation.NONE), Tuple.of(2, ByteMutation.FLIP_BITS),
                Tuple.of(1, ByteMutation.NOT_UTF8));
    }

    static String mutateTree(ObjectNode original, TreeMutation mutation, Random random) {
        ObjectNode event = original.deepCopy();
        JsonNode result = switch (mutation) {
            case NONE -> event;
            case ENVELOPE -> envelope(event, random);
            case EXTRA_FIELDS -> {
                event.put("site", "plant-" + random.nextInt(9));
                event.putObject("event").put("kind", "alarm"); // an unknown field named like the envelope's
                ((ObjectNode) event.get("metrics").get(0)).putArray("extra").add(NODES.nullNode()).add(true);
                yield event;
            }
            case ODD_VALUE -> {
                ObjectNode target = random.nextBoolean() ? event : randomMetric(event, random);
                target.put(randomField(target, random), RAW + random.nextInt(ODD_VALUES.length));
                yield event;
            }
            case DROP_FIELD -> {
                ObjectNode target = random.nextBoolean() ? event : randomMetric(event, random);
                target.remove(randomField(target, random));
                yield event;
            }
            case UNSTORABLE -> unstorable(event, random);
            case BROKEN_ENVELOPE -> brokenEnvelope(event, random);
            case NOT_OBJECT -> null;
            case OVERSIZED -> {
                // just over the 1 MiB limit, or just under it (valid, and over the limit inside an envelope's copy)
                int size = EventParser.MAX_MESSAGE_BYTES - 200 + random.nextInt(400);
                ((ObjectNode) event.get("metrics").get(0)).putObject("attributes").put("blob", "b".repeat(size));
                yield event;
            }
        };
        if (result == null) {
            return NOT_OBJECTS[random.nextInt(NOT_OBJECTS.length)];
        }
        return withRawValues(write(result));
    }

    /** Values that are JSON but break a rule, and a few texts that are not JSON at all. */
    private static final String[] ODD_VALUES = {
        "null", "true", "false", "0", "-1", "256", "1.5", "\"\"", "\"x\"", "[]", "{}", "[1,2]", "{\"a\":{}}",
        "1e999", "-1e999", "-0", "123456789012345678901234567890", "1E+2", "\"" + "k".repeat(300) + "\"",
        "\"2026-02-30T10:00:00Z\"", "\"2026-11-22 10:00:00\"", "\"0b6f4c2e-6a39-4a8e-9d0f\"",
        "[".repeat(1200) + "]".repeat(1200), "NaN", "Infinity", "'single'", "undefined", "\"\\u0000\"", "\"\\ud800\"",
    };

    private static final String REPLACEMENTS = "{}[]\":,\\ 0a-é\t";

    private static final String[] NOT_OBJECTS = {
        "42", "-0.5", "\"an event\"", "null", "true", "[]", "[1,2,3]", "[{}]", "[null]", "[[]]", "", " ", "{}", "{\"event\":null}",
    };

    private static JsonNode envelope(ObjectNode event, Random random) {
        ObjectNode envelope = NODES.objectNode();
        if (random.nextBoolean()) {
            envelope.put("trace_id", "t-" + random.nextInt(1000));
        }
        envelope.set("event", event);
        return envelope;
    }

    private static JsonNode brokenEnvelope(ObjectNode event, Random random) {
        ObjectNode envelope = NODES.objectNode();
        switch (random.nextInt(5)) {
            case 0 -> envelope.put("event", "not an object");
            case 1 -> envelope.set("event", NODES.arrayNode().add(event));
            case 2 -> {
                event.remove("device_id");
                envelope.set("event", event);
            }
            case 3 -> envelope.put("trace_id", 5).set("event", event);
            default -> envelope.set("event", NODES.objectNode().set("event", event));
        }
        return envelope;
    }

    /** NUL or a lone surrogate in a string the tables keep, or a year outside 0001-9999. */
    private static JsonNode unstorable(ObjectNode event, Random random) {
        ObjectNode metric = (ObjectNode) event.get("metrics").get(0);
        // NUL is written as the escape \u0000; a lone surrogate must be written as its escape by hand
        String bad = random.nextBoolean() ? "\u0000" : LONE_SURROGATE;
        switch (random.nextInt(6)) {
            case 0 -> metric.put("parameter_key", "k" + bad);
            case 1 -> metric.putObject("attributes").put("unit", "V" + bad);
            case 2 -> metric.putObject("attributes").put("n" + bad, 1);
            case 3 -> event.put("protocol", bad);
            case 4 -> event.put("source_timestamp", random.nextBoolean() ? "0000-12-31T23:59:59Z" : "+10000-01-01T00:00:00Z");
            default -> event.put("source_timestamp", random.nextBoolean() ? "9999-12-31T23:00:00-02:00" : "0001-01-01T00:00:00+00:01");
        }
        return event;
    }

    static String mutateText(String json, TextMutation mutation, Random random) {
        return switch (mutation) {
            case NONE -> json;
            case TRUNCATE -> json.isEmpty() ? json : json.substring(0, random.nextInt(json.length()));
            case REPLACE_CHAR -> {
                if (json.isEmpty()) {
                    yield "x";
                }
                int at = random.nextInt(json.length());
                char replacement = REPLACEMENTS.charAt(random.nextInt(REPLACEMENTS.length()));
                yield Character.isSurrogate(json.charAt(at)) ? json : json.substring(0, at) + replacement + json.substring(at + 1);
            }
            case REPEAT_FIELD -> json.startsWith("{") ? "{\"device_id\":\"" + uuid(random.nextLong(), random.nextLong()) + "\","
                    + json.substring(1) : json;
            case SURROUND_WHITESPACE -> " \n\t" + json + "\r\n ";
        };
    }

    static byte[] mutateBytes(byte[] message, ByteMutation mutation, Random random) {
        if (mutation == ByteMutation.NONE || message.length == 0) {
            return message;
        }
        byte[] copy = message.clone();
        int at = random.nextInt(copy.length);
        if (mutation == ByteMutation.FLIP_BITS) {
            copy[at] ^= (byte) (1 + random.nextInt(255));
            return copy;
        }
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, (byte) 0xc3, (byte) 0x28, (byte) 0xed, (byte) 0xa0, (byte) 0x80};
        byte[] result = new byte[copy.length + 2];
        System.arraycopy(copy, 0, result, 0, at);
        result[at] = notUtf8[random.nextInt(notUtf8.length)];
        result[at + 1] = notUtf8[random.nextInt(notUtf8.length)];
        System.arraycopy(copy, at, result, at + 2, copy.length - at);
        return result;
    }

    /** A version 4 UUID from the generator's own randomness (so that a seed gives the same messages again). */
    static UUID uuid(long high, long low) {
        return new UUID((high & ~0xF000L) | 0x4000L, (low & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
    }

    private static ObjectNode randomMetric(ObjectNode event, Random random) {
        JsonNode metrics = event.get("metrics");
        return (ObjectNode) metrics.get(random.nextInt(metrics.size()));
    }

    private static String randomField(ObjectNode node, Random random) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names.get(random.nextInt(names.size()));
    }

    private static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Puts the raw texts in place of their stand-ins. */
    private static String withRawValues(String json) {
        json = json.replace(LONE_SURROGATE, "\\udbff");
        if (!json.contains("\\u0001raw:")) {
            return json;
        }
        for (int i = 0; i < ODD_VALUES.length; i++) {
            json = json.replace(write(TextNode.valueOf(RAW + i)), ODD_VALUES[i]);
        }
        return json;
    }
}
