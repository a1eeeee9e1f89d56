package routes.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.TestDatabase;
import routes.support.WriteBlock;

/**
 * A start-up whose warm-up meets a locked {@code ingest_events} (a migration, a {@code VACUUM FULL}, an operator's
 * lock; here the crash tests' write block, as a restarted instance met it) gives the warm-up up after its timeout
 * and starts. Before the timeout the warm-up waited for the lock, and the application never started.
 */
@SpringBootTest(properties = {"ingest.warmup.enabled=true", "ingest.warmup.batches=3", "ingest.warmup.batch-size=50",
        "ingest.warmup.timeout=300ms"})
class PipelineWarmupLockedTableIT {

    private static WriteBlock block;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = TestDatabase.recreate("it_pipeline_warmup_locked");
        Flyway.configure().dataSource(url, TestDatabase.USER, "").locations("classpath:db/migration").load().migrate();
        block = WriteBlock.on(url);
        registry.add("spring.datasource.url", () -> url);
        registry.add("ingest.embedded-db.enabled", () -> "false");
    }

    @AfterAll
    static void release() {
        if (block != null) {
            block.close();
        }
    }

    @Autowired PipelineWarmup warmup;

    @Test
    void theWarmUpGivesUpOnTheLockAndTheApplicationStarts() {
        assertThat(warmup.warmedBatches()).isZero();
    }
}
