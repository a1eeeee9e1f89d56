package routes.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import routes.pipeline.split.MetricRow;
import routes.pipeline.split.RowSplitter;
import routes.pipeline.validate.EventParser;
import routes.pipeline.validate.IngestEvent;
import routes.pipeline.validate.InvalidMessageException;

/** The warm-up's made-up messages: valid in every shape the contract accepts, and each invalid kind refused. */
class WarmupMessagesTest {

    private final EventParser parser = new EventParser(new ObjectMapper());
    private final WarmupMessages messages = new WarmupMessages();

    @Test
    void everyValidMessageParsesAndTheShapesVary() {
        List<String> bodies = new ArrayList<>();
        List<IngestEvent> events = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            byte[] body = messages.valid(3, i);
            bodies.add(new String(body, StandardCharsets.UTF_8));
            events.add(parser.parse(body));
        }
        assertThat(bodies).anyMatch(b -> b.startsWith("{\"trace_id\"")).anyMatch(b -> !b.contains("\"event_id\""))
                .anyMatch(b -> b.contains("+02:00")).anyMatch(b -> b.contains("-05:30")).anyMatch(b -> b.contains("E6"))
                .anyMatch(b -> b.contains("\"attributes\"")).anyMatch(b -> b.contains("\"quality\""));
        assertThat(events).extracting(e -> e.metrics().size()).contains(1, 2, 3);
        assertThat(events.stream().map(IngestEvent::deviceId).distinct().count()).as("devices").isEqualTo(8);
    }

    @Test
    void aBatchsRowsHaveDistinctKeysSoEveryOneIsWritten() {
        RowSplitter splitter = new RowSplitter();
        Set<MetricRow.Key> keys = new HashSet<>();
        int rows = 0;
        for (int i = 0; i < 500; i++) {
            for (MetricRow row : splitter.rows(parser.parse(messages.valid(7, i)))) {
                keys.add(row.key());
                rows++;
            }
        }
        assertThat(keys).hasSize(rows);
    }

    @Test
    void everyInvalidKindIsRefused() {
        List<String> types = new ArrayList<>();
        for (byte[] body : messages.invalid()) {
            assertThatThrownBy(() -> parser.parse(body)).isInstanceOfSatisfying(InvalidMessageException.class,
                    e -> types.add(e.errorType()));
        }
        assertThat(types).contains("json", "validation");
    }
}
