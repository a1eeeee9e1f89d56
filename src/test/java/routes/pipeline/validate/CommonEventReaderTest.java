package routes.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one-pass reader must give exactly the tree reader's event, or step aside (null) so that the
 * tree reader answers: never accept what the tree refuses, never read a field differently.
 */
class CommonEventReaderTest {

    static final String DEVICE = "0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11";
    final ObjectMapper mapper = new ObjectMapper();
    final CommonEventReader reader = new CommonEventReader(mapper);
    final EventParser parser = new EventParser(mapper);

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"event_id\":\"e-1\",\"device_id\":\"" + DEVICE + "\",\"protocol\":\"modbus\",\"source_timestamp\":\"2026-11-22T10:15:30.250Z\","
            + "\"metrics\":[{\"parameter_key\":\"voltage\",\"value\":229.7,\"quality\":192,\"attributes\":{\"unit\":\"V\",\"n\":[1,2.50,{\"x\":null}]}},"
            + "{\"parameter_key\":\"current\",\"value\":-3}]}",
        "{\"metrics\":[{\"value\":1e3,\"parameter_key\":\"k\",\"extra\":{\"a\":[1]}}],\"source_timestamp\":\"2026-11-22T11:15:30.123456789+01:00\","
            + "\"device_id\":\"" + DEVICE + "\",\"trace_id\":\"t-1\",\"unknown\":[1,{\"b\":2}]}",
        "{\"device_id\":\"0B6F4C2E-6A39-4A8E-9D0F-3C1F5A7E2B11\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"πλ\",\"value\":12345678901234567890}]}",
        "  {\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":0.1,\"quality\":0}]} trailing",
    })
    void aPlainValidEventIsReadInOnePassAsTheTreeReadsIt(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        IngestEvent fast = reader.read(body);
        assertThat(fast).isNotNull().isEqualTo(parser.parseAsTree(body));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // envelope, nulls, a field twice, wrong types, broken rules, not JSON: the tree reader answers
        "{\"trace_id\":\"t\",\"event\":{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}}",
        "{\"event_id\":null,\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1,\"quality\":null}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1,\"quality\":256}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1e999}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"\",\"value\":1}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}",
        "{\"device_id\":\"not-a-uuid\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":\"1\"}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1,\"attributes\":[1]}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}",
        "[{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}]",
        "not json", "",
        // strings the database cannot store, anywhere, and instants outside years 0001-9999
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\\u0000\",\"value\":1}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1,\"attributes\":{\"u\":[\"\\ud800\"]}}]}",
        "{\"trace_id\":\"\\u0000\",\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}",
        "{\"other\":{\"x\":[\"\\u0000\"]},\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"2026-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1,\"x\\u0000\":1}]}",
        "{\"device_id\":\"" + DEVICE + "\",\"source_timestamp\":\"0000-11-22T10:15:30Z\",\"metrics\":[{\"parameter_key\":\"k\",\"value\":1}]}",
    })
    void anythingElseIsLeftToTheTreeReader(String json) {
        assertThat(reader.read(json.getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void randomEventsAgreeWithTheTreeReader() {
        Random random = new Random(11);
        String[] pieces = {"\"event_id\":\"id-%d\"", "\"event_id\":%d", "\"protocol\":\"p\"", "\"protocol\":null",
            "\"trace_id\":\"t\"", "\"device_id\":\"" + DEVICE + "\"", "\"device_id\":\"x\"",
            "\"source_timestamp\":\"2026-11-22T10:15:%02dZ\"", "\"source_timestamp\":\"2026-02-30T10:15:00Z\"",
            "\"metrics\":[{\"parameter_key\":\"a\",\"value\":%d}]",
            "\"metrics\":[{\"parameter_key\":\"a\",\"value\":1.5,\"quality\":%d},{\"parameter_key\":\"b\",\"value\":-0.0}]",
            "\"metrics\":[{\"parameter_key\":\"a\",\"value\":2,\"attributes\":{\"u\":\"V\",\"k\":%d}}]", "\"other\":{\"x\":[%d]}"};
        int fastCount = 0;
        for (int i = 0; i < 5_000; i++) {
            List<String> fields = new ArrayList<>();
            // Mostly a complete event (device, time, metrics: pieces 5, 7, 9–11) plus random other fields.
            fields.add(String.format(pieces[random.nextInt(10) == 0 ? 6 : 5], 0));
            fields.add(String.format(pieces[random.nextInt(10) == 0 ? 8 : 7], random.nextInt(60)));
            fields.add(String.format(pieces[9 + random.nextInt(3)], random.nextInt(300)));
            for (int f = random.nextInt(4); f > 0; f--) {
                fields.add(String.format(pieces[random.nextInt(pieces.length)], random.nextInt(300)));
            }
            java.util.Collections.shuffle(fields, random);
            byte[] body = ("{" + String.join(",", fields) + "}").getBytes(StandardCharsets.UTF_8);
            IngestEvent fast = reader.read(body);
            Throwable refused = catchThrowable(() -> parser.parseAsTree(body));
            if (fast != null) {
                fastCount++;
                assertThat(refused).as(new String(body, StandardCharsets.UTF_8)).isNull();
                assertThat(fast).isEqualTo(parser.parseAsTree(body));
            }
            assertThat(refused == null ? parser.parse(body) : null).isEqualTo(refused == null ? parser.parseAsTree(body) : null);
        }
        assertThat(fastCount).as("events read in one pass").isGreaterThan(100);
    }
}
