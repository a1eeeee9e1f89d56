package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** The DLQ entry written from the body's bytes is byte for byte what Jackson's generator writes. */
class JsonStringBytesTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @Property(tries = 2000)
    void theEntryIsWhatJacksonWritesAndGivesTheBodyBack(@ForAll("texts") String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of("x-error-type", "json", "x-error-message", text);

        byte[] entry = RedisSource.deadLetter(mapper, body, headers);

        assertThat(new String(entry, StandardCharsets.UTF_8))
                .isEqualTo(new String(jacksonEntry(body, headers), StandardCharsets.UTF_8));
        assertThat(mapper.readTree(entry).get(RedisSource.DLQ_PAYLOAD).asText()).isEqualTo(text);
    }

    @Property(tries = 2000)
    void theLengthIsExactlyWhatIsWritten(@ForAll("texts") String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[JsonStringBytes.escapedLength(body) + 2];

        assertThat(JsonStringBytes.writeEscaped(body, out, 1)).isEqualTo(out.length - 1);
    }

    /** Any bytes, not only UTF-8: the eight-at-a-time scan finds every byte the plain loop escapes, at any offset. */
    @Property(tries = 3000)
    void theWordScanEscapesWhatAByteLoopEscapes(@ForAll("bytes") byte[] body) {
        byte[] out = new byte[JsonStringBytes.escapedLength(body)];

        int end = JsonStringBytes.writeEscaped(body, out, 0);

        assertThat(end).isEqualTo(out.length);
        assertThat(out).isEqualTo(escapedByteByByte(body));
    }

    /** Long runs of plain bytes (ASCII and non-ASCII) with a byte to escape here and there. */
    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<Byte> plain = Arbitraries.of((byte) 'x', (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xa2, (byte) 0xdc,
                (byte) 0x21, (byte) 0x23, (byte) 0x5b, (byte) 0x5d, (byte) 0x20, (byte) 0x42);
        Arbitrary<Byte> special = Arbitraries.of((byte) '"', (byte) '\\', (byte) 0, (byte) 0x1f, (byte) '\n', (byte) 0x01);
        Arbitrary<Byte> any = Arbitraries.frequencyOf(Tuple.of(30, plain), Tuple.of(1, special));
        return any.list().ofMaxSize(300).map(list -> {
            byte[] bytes = new byte[list.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = list.get(i);
            }
            return bytes;
        });
    }

    private static byte[] escapedByteByByte(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : body) {
            String escape = switch (b) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\b' -> "\\b";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\f' -> "\\f";
                case '\r' -> "\\r";
                default -> b >= 0 && b < 0x20 ? String.format("\\u%04X", b) : null;
            };
            if (escape == null) {
                out.write(b);
            } else {
                out.writeBytes(escape.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    /** Text with every kind of character a JSON string escapes or keeps: controls, quotes, backslashes, non-ASCII. */
    @Provide
    Arbitrary<String> texts() {
        Arbitrary<Character> special = Arbitraries.of('"', '\\', '/', '\b', '\t', '\n', '\f', '\r', '\u0000', '\u001f',
                '\u007f', '\u2028', 'é', '€', '{', '}');
        Arbitrary<String> emoji = Arbitraries.of("😀", "𝄞");
        Arbitrary<String> piece = Arbitraries.oneOf(special.map(String::valueOf), emoji,
                Arbitraries.chars().range('\u0000', '\u00ff').map(String::valueOf),
                Arbitraries.strings().alpha().ofMaxLength(12));
        return piece.list().ofMaxSize(40).map(parts -> String.join("", parts));
    }

    /** The entry as this class wrote it before: Jackson's generator over a growing buffer. */
    private byte[] jacksonEntry(byte[] body, Map<String, String> headers) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = mapper.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeFieldName(RedisSource.DLQ_PAYLOAD);
            json.writeUTF8String(body, 0, body.length);
            json.writeObjectFieldStart(RedisSource.DLQ_HEADERS);
            for (Map.Entry<String, String> header : headers.entrySet()) {
                json.writeStringField(header.getKey(), header.getValue());
            }
            json.writeEndObject();
            json.writeEndObject();
        }
        return out.toByteArray();
    }
}
