package routes.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.deadletter.DeadLetterWarmup;
import routes.ops.IngestMetrics;
import routes.support.TestDatabase;

/** The start-up warm-ups against the real PostgreSQL: they ran, and they left nothing behind. */
@SpringBootTest(properties = {"ingest.warmup.enabled=true", "ingest.warmup.batches=3", "ingest.warmup.batch-size=50",
        "ingest.warmup.rounds=2", "ingest.warmup.jit-idle-timeout=1s"})
class PipelineWarmupIT {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_pipeline_warmup"));
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @Autowired PipelineWarmup warmup;
    @Autowired DeadLetterWarmup deadLetterWarmup;
    @Autowired JdbcTemplate jdbc;
    @Autowired MeterRegistry meters;

    @Test
    void throwAwayBatchesRanAndLeftNoRowNoStatsAndNoCount() {
        assertThat(warmup.warmedBatches()).as("3 batches in each of 2 rounds").isEqualTo(6);
        assertThat(deadLetterWarmup.rounds()).as("the dead letters' byte work, on by default").isPositive();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM daily_stats", Long.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
        assertThat(meters.find(IngestMetrics.EVENTS).counters()).allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(meters.find(IngestMetrics.ROWS).counters()).allSatisfy(c -> assertThat(c.count()).isZero());
    }
}
