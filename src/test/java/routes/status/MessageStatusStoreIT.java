package routes.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import routes.support.TestDatabase;

/** message_status writes against the real PostgreSQL. */
class MessageStatusStoreIT {

    static HikariDataSource dataSource;
    static JdbcTemplate jdbc;

    @BeforeAll
    static void database() {
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(TestDatabase.recreate("it_message_status_store"));
        dataSource.setUsername(TestDatabase.USER);
        dataSource.setMaximumPoolSize(4);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new JdbcTemplate(dataSource);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    /** Sessions of this database waiting for a lock. */
    static int waitingForLocks() {
        return jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND wait_event_type = 'Lock'", Integer.class);
    }

    /** One batch's transaction: its tracked messages marked completed, in the order given. */
    static Void complete(List<String> ids) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            MessageStatusStore.completedAll(c, ids.stream().map(id -> new TrackedMessage(id, "test", 1, 0)).toList());
            c.commit();
        }
        return null;
    }

    @Test
    void twoBatchesCompletingTheSameMessagesInOppositeOrdersDoNotDeadlock() throws Exception {
        MessageStatusStore store = new MessageStatusStore(jdbc);
        store.running("test", "m-a", 1);
        store.running("test", "m-b", 1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection holder = dataSource.getConnection()) {
            // Hold m-a, so that both batches are under way at once: the first waits for m-a holding
            // nothing, the second takes m-b first if it writes in batch order, then waits for m-a.
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("SELECT 1 FROM message_status WHERE message_id = 'm-a' FOR UPDATE");
            }
            Future<Void> first = pool.submit(() -> complete(List.of("m-a", "m-b")));
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingForLocks() == 1);
            Future<Void> second = pool.submit(() -> complete(List.of("m-b", "m-a")));
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingForLocks() == 2);
            holder.commit();

            first.get(30, TimeUnit.SECONDS); // rethrows a deadlock PostgreSQL had to break
            second.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.queryForList("SELECT status FROM message_status WHERE message_id IN ('m-a', 'm-b')"
                + " ORDER BY message_id", String.class)).containsExactly("completed", "completed");
    }

    @Test
    void aLateQueuedNeverMovesAFinishedMessageBackAndEveryNewStartIsOneMoreAttempt() {
        MessageStatusStore store = new MessageStatusStore(jdbc);
        TrackedMessage first = new TrackedMessage("m-life", "test", 1, System.currentTimeMillis());
        store.runningAll(List.of(first));
        store.failed("test", "m-life", 1, "refused", 42L, null);
        store.queuedAll(List.of(first), List.of("a late retry"));
        MessageStatus failed = store.find("m-life").orElseThrow();
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.deadLetterId()).isEqualTo(42L);
        assertThat(failed.lastError()).isEqualTo("refused");
        assertThat(failed.failedAt()).isNotNull();

        // A replay (or a resend) of the failed message: one more attempt, received when it first was.
        store.runningAll(List.of(new TrackedMessage("m-life", "test", 1, System.currentTimeMillis())));
        MessageStatus again = store.find("m-life").orElseThrow();
        assertThat(again.status()).isEqualTo("running");
        assertThat(again.attempts()).isEqualTo(2);
        assertThat(again.receivedAt()).isEqualTo(failed.receivedAt());
        assertThat(again.failedAt()).isNull();
    }

    @Test
    void aDeadRowWrittenBeforeV4ReadsAsFailed() {
        jdbc.update("INSERT INTO message_status (message_id, source, status, attempts) VALUES ('m-old', 'test', 'dead', 3)");
        assertThat(new MessageStatusStore(jdbc).find("m-old").orElseThrow().status()).isEqualTo("failed");
    }
}
