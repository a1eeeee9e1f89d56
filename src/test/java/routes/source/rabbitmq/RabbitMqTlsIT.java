package routes.source.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.amqp.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import routes.delivery.TestPki;
import routes.support.TestDatabase;

/**
 * The RabbitMQ source over TLS, against a node of the test's own ({@link OwnRabbitMqNode}: TLS on its own
 * ports, client certificates required, certificates made here). The app is configured with the seeds'
 * variable names only (RABBITMQ_SSL, RABBITMQ_SSL_CA / _CERT / _KEY), consumes a message to a row and
 * dead-letters an invalid one over TLS; a wrong CA, a missing client certificate and a certificate of
 * another host are refused, each with the reason in the error.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RabbitMqTlsIT {

    static final String QUEUE = "it.rabbitmq.tls.q";
    static final String DLX = "it.rabbitmq.tls.dlx";
    static final String DLQ = "it.rabbitmq.tls.dlq";
    static final String CLIENT = "ingest-app";

    static Path pki;
    static Path serverCa;
    static Path otherCa;
    static TestPki.Paths client;
    static OwnRabbitMqNode node;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        startNode();
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_rabbitmq_tls"));
        registry.add("spring.datasource.username", () -> TestDatabase.USER);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.rabbitmq.enabled", () -> "true");
        registry.add("ingest.sources.rabbitmq.queue", () -> QUEUE);
        registry.add("ingest.sources.rabbitmq.dead-letter-exchange", () -> DLX);
        registry.add("ingest.sources.rabbitmq.dead-letter-queue", () -> DLQ);
        registry.add("ingest.sources.rabbitmq.dead-letter-routing-key", () -> DLQ);
        // Only the seeds' variable names, as a deployment sets them (application.yml maps them).
        registry.add("RABBITMQ_HOST", () -> "127.0.0.1");
        registry.add("RABBITMQ_PORT", () -> Integer.toString(node.tlsPort()));
        registry.add("RABBITMQ_SSL", () -> "true");
        registry.add("RABBITMQ_SSL_CA", serverCa::toString);
        registry.add("RABBITMQ_SSL_CERT", () -> client.certificate().toString());
        registry.add("RABBITMQ_SSL_KEY", () -> client.privateKey().toString());
    }

    /** Certificates for this run, and the node requiring a client certificate signed by the client CA. */
    static synchronized void startNode() throws Exception {
        if (node != null) {
            return;
        }
        pki = Files.createTempDirectory("it-rabbitmq-pki");
        TestPki.Issued ca = TestPki.ca("it-rabbitmq-server-ca");
        TestPki.Issued clientCa = TestPki.ca("it-rabbitmq-client-ca");
        serverCa = TestPki.writeCa(ca, pki, "server-ca");
        otherCa = TestPki.writeCa(TestPki.ca("it-rabbitmq-other-ca"), pki, "other-ca");
        Path clientCaFile = TestPki.writeCa(clientCa, pki, "client-ca");
        // The server certificate names localhost and 127.0.0.1, not 127.0.0.2 (where the node listens too).
        TestPki.Paths server = TestPki.server(ca, "localhost").writePem(pki, "server");
        client = TestPki.client(clientCa, CLIENT).writePem(pki, "client");
        node = OwnRabbitMqNode.withTls(server.certificate(), server.privateKey(), clientCaFile, true);
        node.start();
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
        if (pki != null) {
            org.springframework.util.FileSystemUtils.deleteRecursively(pki);
        }
    }

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void consumesToARowAndDeadLettersOverTlsWithTheClientCertificate() throws Exception {
        UUID device = UUID.randomUUID();
        byte[] valid = RabbitMqTestBroker.event("tls-1", device, 1, 3);
        byte[] invalid = "{\"device_id\": \"not-a-uuid\"}".getBytes(StandardCharsets.UTF_8);
        CachingConnectionFactory publisher = new CachingConnectionFactory("127.0.0.1", node.tcpPort());
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
            assertThat((String) dead.get(0).getMessageProperties().getHeader("x-error-type")).isEqualTo("validation");
        } finally {
            publisher.destroy();
        }
        // The node's own view: the app's connections are TLS, authenticated by the client certificate.
        List<String> connections = node.rabbitmqctl("list_connections", "-q", "--no-table-headers",
                "ssl", "peer_cert_subject", "port");
        assertThat(connections).anySatisfy(line -> assertThat(line)
                .startsWith("true").contains("CN=" + CLIENT).contains(Integer.toString(node.tlsPort())));
    }

    @Test
    void aWrongCaIsRefusedNamingTheCertificatePath() {
        Throwable error = connect("127.0.0.1", otherCa, true);
        assertThat(error).isNotNull();
        assertThat(messages(error)).contains("PKIX path building failed");

        CachingConnectionFactory refused = factory("127.0.0.1", otherCa, true);
        try {
            Health health = RabbitMqHealthIndicatorIT.health(refused, QUEUE);
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(String.valueOf(health.getDetails().get("error"))).contains("PKIX path building failed");
        } finally {
            refused.destroy();
        }
    }

    @Test
    void withoutAClientCertificateTheNodeRefuses() {
        assertThat(connect("127.0.0.1", serverCa, false)).isNotNull();
        assertThat(connect("127.0.0.1", serverCa, true)).isNull();
    }

    /**
     * The host name is checked with the bundle "rabbitmq" (RabbitMqTls) and with a bundle named in
     * spring.rabbitmq.ssl.bundle, where Boot 3.5 does not apply verify-hostname (that case connected
     * before RabbitMqTls checked it); verify-hostname=false switches the check off in both.
     */
    @Test
    void aCertificateOfAnotherHostIsRefused() {
        for (String bundle : List.of("spring.rabbitmq.ssl.enabled=true", "spring.rabbitmq.ssl.bundle=rabbitmq")) {
            Throwable error = connect("127.0.0.2", serverCa, true, bundle);
            assertThat(error).as(bundle).isNotNull();
            assertThat(messages(error)).contains("No subject alternative names matching IP address 127.0.0.2");
            assertThat(connect("127.0.0.2", serverCa, true, bundle, "spring.rabbitmq.ssl.verify-hostname=false"))
                    .as(bundle).isNull();
        }
    }

    /** Spring Boot's RabbitMQ auto-configuration with RabbitMqTls, the bundle "rabbitmq" from these files. */
    static ApplicationContextRunner runner(String host, Path ca, boolean clientCertificate, String... more) {
        List<String> properties = new ArrayList<>(List.of(
                "spring.rabbitmq.host=" + host,
                "spring.rabbitmq.port=" + node.tlsPort(),
                "spring.rabbitmq.connection-timeout=5s",
                "spring.rabbitmq.ssl.enabled=true",
                "spring.ssl.bundle.pem.rabbitmq.truststore.certificate=" + ca));
        if (clientCertificate) {
            properties.add("spring.ssl.bundle.pem.rabbitmq.keystore.certificate=" + client.certificate());
            properties.add("spring.ssl.bundle.pem.rabbitmq.keystore.private-key=" + client.privateKey());
        }
        properties.addAll(List.of(more));
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, SslAutoConfiguration.class))
                .withUserConfiguration(RabbitMqTls.class)
                .withPropertyValues(properties.toArray(String[]::new));
    }

    /** Connects once: null when connected, else the error. */
    static Throwable connect(String host, Path ca, boolean clientCertificate, String... more) {
        Throwable[] error = new Throwable[1];
        runner(host, ca, clientCertificate, more).run(context -> {
            assertThat(context).hasNotFailed();
            try (Connection connection = context.getBean(CachingConnectionFactory.class).createConnection()) {
                // TLS 1.3: the server checks the client certificate after the client's handshake ends
                new RabbitAdmin(context.getBean(CachingConnectionFactory.class)).getQueueInfo(QUEUE);
                assertThat(connection.isOpen()).isTrue();
            } catch (Exception e) {
                error[0] = e;
            }
        });
        return error[0];
    }

    /** A connection factory made as the app makes it, left open for the caller. */
    static CachingConnectionFactory factory(String host, Path ca, boolean clientCertificate) {
        CachingConnectionFactory[] factory = new CachingConnectionFactory[1];
        runner(host, ca, clientCertificate).run(context -> {
            var raw = context.getBean(CachingConnectionFactory.class).getRabbitConnectionFactory();
            factory[0] = new CachingConnectionFactory(raw);
        });
        return factory[0];
    }

    static String messages(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            all.append(t).append(" | ");
        }
        return all.toString();
    }
}
