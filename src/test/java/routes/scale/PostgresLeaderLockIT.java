package routes.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import routes.support.TestDatabase;

/**
 * Two "instances" ask for the same advisory lock on the local PostgreSQL: one holds it; when the
 * holder's session dies (as on kill -9), the other takes it over.
 */
class PostgresLeaderLockIT {

    @Test
    void onlyOneHoldsTheLockAndAnotherTakesItWhenTheHoldersSessionDies() {
        String url = TestDatabase.recreate("it_leader_lock");
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, TestDatabase.USER, "");
        JdbcTemplate admin = new JdbcTemplate(dataSource);
        try (PostgresLeaderLock first = new PostgresLeaderLock(dataSource, "redis-recoverer");
             PostgresLeaderLock second = new PostgresLeaderLock(dataSource, "redis-recoverer");
             PostgresLeaderLock other = new PostgresLeaderLock(dataSource, "purge")) {
            assertThat(first.holds()).isTrue();
            assertThat(first.holds()).as("asking again keeps it").isTrue();
            assertThat(second.holds()).isFalse();
            assertThat(other.holds()).as("another name is another lock").isTrue();

            // The leader dies: its session ends (what PostgreSQL sees when a killed process's socket closes).
            Integer killed = admin.queryForObject("SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l "
                    + "WHERE l.locktype = 'advisory' AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.granted",
                    Integer.class, PostgresLeaderLock.keyOf("redis-recoverer") >>> 32,
                    PostgresLeaderLock.keyOf("redis-recoverer") & 0xFFFFFFFFL);
            assertThat(killed).isEqualTo(1);

            await().atMost(Duration.ofSeconds(10)).until(second::holds);
            assertThat(first.holds()).as("the old leader does not think it still leads").isFalse();
        }
        // Closing frees the lock for whoever asks next.
        try (PostgresLeaderLock next = new PostgresLeaderLock(dataSource, "redis-recoverer")) {
            assertThat(next.holds()).isTrue();
        }
    }
}
