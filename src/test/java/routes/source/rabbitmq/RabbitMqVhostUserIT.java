package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.amqp.RabbitAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.support.TestDatabase;

/**
 * The RabbitMQ source in a virtual host of its own, as a user of its own (both made on the local broker with
 * rabbitmqctl and removed afterwards), configured with the seeds' variable names only: consumes to rows and
 * dead-letters inside that vhost; a wrong password is refused with ACCESS_REFUSED.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RabbitMqVhostUserIT {

    static final String VHOST = "it-ingest-secure";
    static final String USER = "it-ingest-secure-user";
    static final String PASSWORD = "it-" + UUID.randomUUID();
    static final String QUEUE = "it.rabbitmq.vhost.q";
    static final String DLX = "it.rabbitmq.vhost.dlx";
    static final String DLQ = "it.rabbitmq.vhost.dlq";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        createVhostAndUser();
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_rabbitmq_vhost"));
        registry.add("spring.datasource.username", () -> TestDatabase.USER);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.rabbitmq.enabled", () -> "true");
        registry.add("ingest.sources.rabbitmq.queue", () -> QUEUE);
        registry.add("ingest.sources.rabbitmq.dead-letter-exchange", () -> DLX);
        registry.add("ingest.sources.rabbitmq.dead-letter-queue", () -> DLQ);
        registry.add("ingest.sources.rabbitmq.dead-letter-routing-key", () -> DLQ);
        // Only the seeds' variable names, as a deployment sets them (application.yml maps them).
        registry.add("RABBITMQ_HOST", () -> RabbitMqTestBroker.HOST);
        registry.add("RABBITMQ_VHOST", () -> VHOST);
        registry.add("RABBITMQ_USERNAME", () -> USER);
        registry.add("RABBITMQ_PASSWORD", () -> PASSWORD);
    }

    static void createVhostAndUser() {
        removeVhostAndUser();
        RabbitMqTestBroker.rabbitmqctl("add_vhost", VHOST);
        RabbitMqTestBroker.rabbitmqctl("add_user", USER, PASSWORD);
        RabbitMqTestBroker.rabbitmqctl("set_permissions", "-p", VHOST, USER, ".*", ".*", ".*");
    }

    @AfterAll
    static void removeVhostAndUser() {
        for (String[] command : List.of(new String[] {"delete_vhost", VHOST}, new String[] {"delete_user", USER})) {
            try {
                RabbitMqTestBroker.rabbitmqctl(command);
            } catch (IllegalStateException absent) {
                // not there (first run, or already removed)
            }
        }
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    ConnectionFactory appConnections;

    @Test
    void consumesAndDeadLettersInItsOwnVhostAsItsOwnUser() {
        assertThat(appConnections.getVirtualHost()).isEqualTo(VHOST);
        assertThat(appConnections.getUsername()).isEqualTo(USER);
        UUID device = UUID.randomUUID();
        byte[] valid = RabbitMqTestBroker.event("vhost-1", device, 1, 3);
        byte[] invalid = "not json".getBytes(StandardCharsets.UTF_8);
        CachingConnectionFactory publisher = new CachingConnectionFactory(RabbitMqTestBroker.HOST, 5672);
        publisher.setVirtualHost(VHOST);
        publisher.setUsername(USER);
        publisher.setPassword(PASSWORD);
        try {
            RabbitTemplate template = new RabbitTemplate(publisher);
            template.send("", QUEUE, new Message(valid));
            template.send("", QUEUE, new Message(invalid));

            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM ingest_events WHERE device_id = ?", Long.class, device) == 3);
            List<Message> dead = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Message m = template.receive(DLQ);
                if (m != null) {
                    dead.add(m);
                }
                return !dead.isEmpty();
            });
            assertThat(dead.get(0).getBody()).isEqualTo(invalid);
            assertThat((String) dead.get(0).getMessageProperties().getHeader("x-error-type")).isEqualTo("json");
        } finally {
            publisher.destroy();
        }
        // The broker's own view: the queues are in the vhost, and not in "/".
        assertThat(RabbitMqTestBroker.rabbitmqctl("list_queues", "-p", VHOST, "-q", "--no-table-headers", "name"))
                .contains(QUEUE, DLQ);
        assertThat(RabbitMqTestBroker.rabbitmqctl("list_queues", "-p", "/", "-q", "--no-table-headers", "name"))
                .doesNotContain(QUEUE, DLQ);
        assertThat(RabbitMqTestBroker.rabbitmqctl("list_connections", "-q", "--no-table-headers", "user", "vhost"))
                .anySatisfy(line -> assertThat(line.split("\\s+")).containsExactly(USER, VHOST));
    }

    @Test
    void aWrongPasswordIsRefused() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class))
                .withPropertyValues("spring.rabbitmq.host=" + RabbitMqTestBroker.HOST,
                        "spring.rabbitmq.virtual-host=" + VHOST, "spring.rabbitmq.username=" + USER,
                        "spring.rabbitmq.password=wrong")
                .run(context -> {
                    Throwable error = null;
                    try {
                        context.getBean(CachingConnectionFactory.class).createConnection().close();
                    } catch (RuntimeException e) {
                        error = e;
                    }
                    assertThat(error).isNotNull();
                    assertThat(RabbitMqTlsIT.messages(error)).contains("ACCESS_REFUSED");
                });
    }
}
