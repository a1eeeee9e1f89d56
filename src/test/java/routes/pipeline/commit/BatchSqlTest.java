package routes.pipeline.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The batch write's statements load from db/sql/batch without their comments, each with its parameters. */
class BatchSqlTest {

    static long parameters(String sql) {
        return sql.chars().filter(ch -> ch == '?').count();
    }

    @Test
    void everyStatementLoadsWithItsArraysAndWithoutComments() {
        BatchSql sql = BatchSql.load();
        assertThat(parameters(sql.insertNew())).isEqualTo(8);
        assertThat(parameters(sql.lockExisting())).isEqualTo(3);
        assertThat(parameters(sql.updateChanged())).isEqualTo(8);
        assertThat(parameters(sql.addStats())).isEqualTo(7);
        assertThat(parameters(sql.recomputeStats())).isEqualTo(3);
        assertThat(sql.insertNew()).startsWith("INSERT INTO ingest_events").doesNotContain("--");
        assertThat(sql.recomputeStats()).startsWith("UPDATE daily_stats").doesNotContain("--");
    }

    @Test
    void aMissingStatementFailsAtLoad() {
        assertThatThrownBy(() -> BatchSql.read("no-such-statement.sql"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("db/sql/batch/no-such-statement.sql");
    }
}
