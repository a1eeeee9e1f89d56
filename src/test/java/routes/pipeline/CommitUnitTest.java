package routes.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.Test;
import routes.ops.IngestMetrics;

/** De-duplication per row in one commit unit (CONTRACT §1), and counting by what the commit changed. */
class CommitUnitTest {

    static final UUID DEVICE = UUID.fromString("0b6f4c2e-6a39-4a8e-9d0f-3c1f5a7e2b11");
    static final String TS = "2026-11-22T10:15:30.250Z";

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final CommittedOnlyIdempotentRepository committed =
            new CommittedOnlyIdempotentRepository(MemoryIdempotentRepository.memoryIdempotentRepository(100));

    CommitUnit unit() {
        return new CommitUnit(committed, new RowSplitter(), new IngestMetrics(meters));
    }

    static IngestEvent event(String eventId, String parameter, double value) {
        return new IngestEvent(eventId, DEVICE, "modbus", Instant.parse(TS), TS, null,
                List.of(new IngestEvent.Metric(parameter, value, null, null)));
    }

    /** All rows changed the table, as a write of new rows reports. */
    static BatchWriter.Result allNew(CommitUnit unit) {
        int n = unit.rows().size();
        return new BatchWriter.Result(n, 0, 0, Set.of(), Set.of());
    }

    double events(String status) {
        Counter c = meters.find(IngestMetrics.EVENTS).tag("source", "test").tag("status", status).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void messagesOfDifferentParametersAtOneInstantAllLand() {
        CommitUnit unit = unit();
        assertThat(unit.add("test", event(null, "voltage", 230), 0)).isTrue();
        assertThat(unit.add("test", event(null, "current", 3), 0)).isTrue();
        assertThat(unit.add("test", event("e-1", "voltage", 231), 0)).isTrue();
        assertThat(unit.add("test", event("e-1", "current", 4), 0)).isTrue();
        assertThat(unit.rows()).extracting(MetricRow::parameterKey).containsExactly("voltage", "current", "voltage", "current");

        unit.committed(allNew(unit));

        assertThat(events("success")).isEqualTo(4);
        assertThat(events("duplicate")).isZero();
    }

    @Test
    void aMessageIsADuplicateWhenItsRowsWereCommittedBeforeOrCameEarlierInTheUnit() {
        CommitUnit first = unit();
        first.add("test", event(null, "voltage", 230), 0);
        first.committed(allNew(first));

        CommitUnit second = unit();
        assertThat(second.add("test", event(null, "voltage", 230), 0)).as("committed before").isFalse();
        assertThat(second.add("test", event(null, "current", 3), 0)).isTrue();
        assertThat(second.add("test", event(null, "current", 3), 0)).as("earlier in the unit").isFalse();
        assertThat(second.rows()).hasSize(1);
        second.committed(allNew(second));

        assertThat(events("success")).isEqualTo(2);
        assertThat(events("duplicate")).isEqualTo(2);
    }

    @Test
    void anEventWhoseRowsAnotherUnitCommittedFirstCountsAsADuplicate() {
        // Two units holding the same new event, in flight at once: neither saw the other commit.
        CommitUnit a = unit();
        CommitUnit b = unit();
        a.add("test", event("e-1", "voltage", 230), 0);
        assertThat(b.add("test", event("e-1", "voltage", 230), 0)).isTrue();
        a.committed(allNew(a));
        // b's write found its row as a had written it.
        MetricRow row = b.rows().get(0);
        b.committed(new BatchWriter.Result(0, 0, 1, Set.of(row.key()), Set.of()));

        assertThat(events("success")).isEqualTo(1);
        assertThat(events("duplicate")).isEqualTo(1);
    }
}
