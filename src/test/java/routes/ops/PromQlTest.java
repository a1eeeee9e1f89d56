package routes.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void findsMetricNamesAndSkipsFunctionsLabelsAndKeywords() {
        assertThat(PromQl.metricNames("""
                (sum by (source) (ingest_queue_depth) > 0)
                  unless on (source) (sum by (source) (rate(ingest_events_total{status=~"a|b"}[5m])) > 0)
                """)).containsExactly("ingest_events_total", "ingest_queue_depth");
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le) (rate(x_bucket[$__rate_interval]))) > 5e3"))
                .containsExactly("x_bucket");
        assertThat(PromQl.metricNames("up{job=\"ingest-routes\"} == 0 or hikaricp_connections_max"))
                .containsExactly("hikaricp_connections_max", "up");
    }
}
