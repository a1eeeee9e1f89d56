package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import routes.support.StatsInvariant;
import routes.support.TestDatabase;
import routes.support.WriteBlock;

/**
 * {@code kill -9} of the packaged app (target/*.jar, built by {@code mvn verify} before this runs)
 * while it drains a RabbitMQ queue, then a restart: every published event is in the tables exactly once.
 */
class RabbitMqCrashIT {

    static final String DATABASE = "it_rabbitmq_crash";
    static final String QUEUE = "it.rabbitmq.crash.q";
    static final String DLX = "it.rabbitmq.crash.dlx";
    static final String DLQ = "it.rabbitmq.crash.dlq";
    static final int UNIQUE = 30_000;

    static RabbitMqTestBroker broker;
    static JdbcTemplate jdbc;
    static String url;
    Process app;

    @BeforeAll
    static void setUp() {
        broker = new RabbitMqTestBroker();
        broker.deleteTopology(QUEUE, DLX, DLQ);
        url = TestDatabase.recreate(DATABASE);
        jdbc = new JdbcTemplate(new DriverManagerDataSource(url, TestDatabase.USER, ""));
    }

    @AfterAll
    static void tearDown() {
        broker.close();
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.destroyForcibly();
        }
    }

    static File jar() throws IOException {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("ingest-routes-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-plain.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no packaged app: run mvn verify"))
                    .toFile();
        }
    }

    Process start(int run) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar",
                jar().getAbsolutePath(),
                "--server.port=0", "--spring.datasource.url=" + url, "--spring.datasource.username=" + TestDatabase.USER,
                "--ingest.embedded-db.enabled=false", "--ingest.sources.rabbitmq.enabled=true",
                "--ingest.sources.rabbitmq.queue=" + QUEUE, "--ingest.sources.rabbitmq.dead-letter-exchange=" + DLX,
                "--ingest.sources.rabbitmq.dead-letter-queue=" + DLQ,
                "--ingest.sources.rabbitmq.dead-letter-routing-key=" + DLQ));
        File log = new File("target/it-rabbitmq-crash-" + run + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    long rows() {
        return jdbc.queryForObject("SELECT count(*) FROM ingest_events", Long.class);
    }

    long consumers() {
        var info = new RabbitAdmin(broker.connectionFactory()).getQueueInfo(QUEUE);
        return info == null ? 0 : info.getConsumerCount();
    }

    @Test
    void killMinus9MidStreamThenRestartLeavesEveryEventExactlyOnce() throws Exception {
        app = start(1);
        await().atMost(Duration.ofMinutes(3)).until(() -> !app.isAlive() || consumers() > 0);
        assertThat(app.isAlive()).as("app started (see target/it-rabbitmq-crash-1.log)").isTrue();
        Random random = new Random(3);
        UUID[] devices = {UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()};
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < UNIQUE; i++) {
            byte[] body = RabbitMqTestBroker.event("crash-" + i, devices[i % devices.length], i, 3);
            bodies.add(body);
            if (random.nextInt(10) == 0) {
                bodies.add(body);
            }
        }
        int firstPart = 3_000;
        broker.publish(QUEUE, bodies.subList(0, firstPart));
        await().atMost(Duration.ofMinutes(2)).until(() -> rows() > 0);

        // Mid-stream for certain: the rest is delivered, unacked, and cannot commit while the writers are held back.
        try (WriteBlock writers = WriteBlock.on(url)) {
            broker.publish(QUEUE, bodies.subList(firstPart, bodies.size()));
            await().atMost(Duration.ofMinutes(1)).until(() -> broker.readyAndUnacked(QUEUE) > broker.ready(QUEUE));
            app.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no graceful stop
        }
        long atKill = rows();
        assertThat(atKill).as("killed mid-stream").isLessThan(UNIQUE * 3L);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();

        app = start(2);
        await().atMost(Duration.ofMinutes(4)).until(() -> !app.isAlive() || rows() == UNIQUE * 3L);
        await().atMost(Duration.ofSeconds(60)).until(() -> broker.readyAndUnacked(QUEUE) == 0);
        assertThat(rows()).isEqualTo(UNIQUE * 3L);
        assertThat(jdbc.queryForObject("SELECT sum(sample_count) FROM daily_stats", Long.class)).isEqualTo(UNIQUE * 3L);
        assertThat(StatsInvariant.violations(jdbc)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters", Long.class)).isZero();
    }
}
