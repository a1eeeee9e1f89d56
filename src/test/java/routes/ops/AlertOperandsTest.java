package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AlertOperandsTest {

    @Test
    void aComparisonLeavesItsQueryWithoutTheThreshold() {
        assertThat(AlertOperands.of("ingest_queue_depth > 5000")).containsExactly("ingest_queue_depth");
        assertThat(AlertOperands.of("up{job=\"ingest-routes\"} == 0")).containsExactly("up{job=\"ingest-routes\"}");
        assertThat(AlertOperands.of("""
                sum by (source) (rate(ingest_events_total{status=~"invalid|dead"}[5m]))
                  / sum by (source) (rate(ingest_events_total[5m])) > 0.05
                """)).containsExactly("sum by (source) (rate(ingest_events_total{status=~\"invalid|dead\"}[5m]))\n"
                + "  / sum by (source) (rate(ingest_events_total[5m]))");
    }

    @Test
    void setOperatorsAndTheirMatchingModifiersSplitIntoBothSides() {
        assertThat(AlertOperands.of("""
                (sum by (source) (ingest_queue_depth) > 0)
                  unless on (source) (sum by (source) (rate(ingest_events_total[5m])) > 0)
                """)).containsExactly("sum by (source) (ingest_queue_depth)",
                "sum by (source) (rate(ingest_events_total[5m]))");
        assertThat(AlertOperands.of("""
                sum(increase(ingest_dead_letters_total{error_type="rejected"}[10m])) > 0
                  or sum(increase(hikaricp_connections_timeout_total[5m])) > bool 0
                """)).containsExactly("sum(increase(ingest_dead_letters_total{error_type=\"rejected\"}[10m]))",
                "sum(increase(hikaricp_connections_timeout_total[5m]))");
    }

    @Test
    void operatorsInsideLabelValuesAndWordsAreNotSplit() {
        assertThat(AlertOperands.of("sum(x{mode=\"a > b or c\", order=\"1\"}) >= 2"))
                .containsExactly("sum(x{mode=\"a > b or c\", order=\"1\"})");
        assertThat(AlertOperands.of("ordered_total < 1")).containsExactly("ordered_total");
    }
}
