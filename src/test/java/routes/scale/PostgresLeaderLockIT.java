package routes.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import routes.source.redis.RecoveryGate;
import routes.source.redis.RecoveryLeaderConfiguration;
import routes.source.redis.RedisSourceProperties;
import routes.support.TestDatabase;

/**
 * Two "instances" ask for the same advisory lock on the local PostgreSQL: one holds it; when the
 * holder's session dies (as on kill -9), the other takes it over. Then the same through the Redis
 * recoverer's {@link RecoveryGate} as the application wires it ({@code ingest.sources.redis.recovery-leader}).
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

    @EnableConfigurationProperties(RedisSourceProperties.class)
    static class RedisProperties {
    }

    private static ApplicationContextRunner instance(DataSource dataSource, String... properties) {
        return new ApplicationContextRunner()
                .withUserConfiguration(RedisProperties.class, RecoveryLeaderConfiguration.class)
                .withBean(DataSource.class, () -> dataSource)
                .withPropertyValues("ingest.sources.redis.queue=it:leader:queue")
                .withPropertyValues(properties);
    }

    @Test
    void onlyTheLeaderInstanceRecoversRedisAndAnotherTakesOverWhenItDies() {
        String url = TestDatabase.recreate("it_leader_gate");
        DriverManagerDataSource dataSource = new DriverManagerDataSource(url, TestDatabase.USER, "");
        JdbcTemplate admin = new JdbcTemplate(dataSource);
        long key = PostgresLeaderLock.keyOf(RecoveryLeaderConfiguration.LOCK + "it:leader:queue");
        instance(dataSource).run(a -> instance(dataSource).run(b -> instance(dataSource).run(c -> {
            RecoveryGate first = a.getBean(RecoveryGate.class);
            RecoveryGate second = b.getBean(RecoveryGate.class);
            RecoveryGate third = c.getBean(RecoveryGate.class);
            assertThat(first.mayRecover()).as("the default is the postgres leader lock; a asks first").isTrue();
            assertThat(second.mayRecover()).isFalse();
            assertThat(third.mayRecover()).isFalse();

            // a is killed: PostgreSQL ends its session, which frees the lock; one of the others takes over.
            Integer killed = admin.queryForObject("SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                    + "WHERE locktype = 'advisory' AND classid::bigint = ? AND objid::bigint = ? AND granted",
                    Integer.class, key >>> 32, key & 0xFFFFFFFFL);
            assertThat(killed).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(second::mayRecover);
            assertThat(third.mayRecover()).isFalse();
            assertThat(first.mayRecover()).as("the dead leader's successor leads, not it").isFalse();

            // b shuts down gracefully: closing its context frees the lock at once.
            b.close();
            assertThat(third.mayRecover()).isTrue();
        })));
        instance(dataSource, "ingest.sources.redis.recovery-leader=every-instance").run(context ->
                assertThat(context.getBean(RecoveryGate.class)).isSameAs(RecoveryGate.EVERY_INSTANCE));
    }
}
