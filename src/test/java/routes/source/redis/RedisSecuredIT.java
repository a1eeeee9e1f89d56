package routes.source.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import routes.delivery.TestPki;
import routes.support.TestDatabase;

/**
 * Redis as production secures it, against redis-servers of the test's own: TLS only (client certificates
 * required) with an ACL user. The app, configured with the seeds' variable names only (REDIS_USERNAME,
 * REDIS_PASSWORD, REDIS_SSL, REDIS_SSL_CA / _CERT / _KEY), consumes a list entry to a row, dead-letters an
 * invalid one and keeps its idempotency keys there. A password alone (requirepass) works too; a wrong
 * password, a wrong CA, a missing client certificate and a certificate of another host are refused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RedisSecuredIT {

    static final String USER = "ingest";
    static final String PASSWORD = "it-" + UUID.randomUUID();
    static final String DEFAULT_PASSWORD = "it-default-" + UUID.randomUUID();
    static final String QUEUE = "it:RedisSecuredIT:queue";
    static final String DLQ = QUEUE + ":dlq";

    static Path pki;
    static Path serverCa;
    static Path otherCa;
    static TestPki.Issued clientIssued;
    static TestPki.Issued serverCaIssued;
    static TestPki.Paths client;
    static OwnRedisServer tls;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        startServer();
        registry.add("spring.datasource.url", () -> TestDatabase.recreate("it_redis_secured"));
        registry.add("spring.datasource.username", () -> TestDatabase.USER);
        registry.add("ingest.embedded-db.enabled", () -> "false");
        registry.add("ingest.sources.redis.enabled", () -> "true");
        registry.add("ingest.sources.redis.queue", () -> QUEUE);
        registry.add("ingest.sources.redis.processing-list", () -> QUEUE + ":processing");
        registry.add("ingest.sources.redis.delayed-set", () -> QUEUE + ":delayed");
        registry.add("ingest.sources.redis.dlq", () -> DLQ);
        registry.add("ingest.idempotency.repository", () -> "redis");
        // Only the seeds' variable names, as a deployment sets them (application.yml maps them).
        registry.add("REDIS_HOST", () -> "127.0.0.1");
        registry.add("REDIS_PORT", () -> Integer.toString(tls.port()));
        registry.add("REDIS_USERNAME", () -> USER);
        registry.add("REDIS_PASSWORD", () -> PASSWORD);
        registry.add("REDIS_SSL", () -> "true");
        registry.add("REDIS_SSL_CA", serverCa::toString);
        registry.add("REDIS_SSL_CERT", () -> client.certificate().toString());
        registry.add("REDIS_SSL_KEY", () -> client.privateKey().toString());
    }

    static synchronized void startServer() throws Exception {
        if (tls != null) {
            return;
        }
        pki = Files.createTempDirectory("it-redis-pki");
        serverCaIssued = TestPki.ca("it-redis-server-ca");
        TestPki.Issued clientCa = TestPki.ca("it-redis-client-ca");
        serverCa = TestPki.writeCa(serverCaIssued, pki, "server-ca");
        otherCa = TestPki.writeCa(TestPki.ca("it-redis-other-ca"), pki, "other-ca");
        Path clientCaFile = TestPki.writeCa(clientCa, pki, "client-ca");
        // Names localhost and 127.0.0.1, not 127.0.0.2 (where the server listens too).
        TestPki.Paths server = TestPki.server(serverCaIssued, "localhost").writePem(pki, "server");
        clientIssued = TestPki.client(clientCa, "ingest-app");
        client = clientIssued.writePem(pki, "client");
        tls = new OwnRedisServer();
        List<String> config = new ArrayList<>(tls.tlsLines(server.certificate(), server.privateKey(), clientCaFile, true));
        config.add("user default on >" + DEFAULT_PASSWORD + " ~* &* +@all");
        config.add("user " + USER + " on >" + PASSWORD + " ~it:* ~ingest:* &* +@all");
        tls.start(config);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (tls != null) {
            tls.close();
        }
        if (pki != null) {
            org.springframework.util.FileSystemUtils.deleteRecursively(pki);
        }
    }

    @Autowired
    JdbcTemplate jdbc;

    /** The test's own client: TLS with the client certificate, as the ACL user. */
    static Jedis jedis() throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(clientIssued.keyStore("changeit"), "changeit".toCharArray());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", serverCaIssued.certificate());
        TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusted.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trusted.getTrustManagers(), null);
        return new Jedis(new HostAndPort("127.0.0.1", tls.port()), DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(context.getSocketFactory()).user(USER).password(PASSWORD).build());
    }

    @Test
    void consumesDeadLettersAndRemembersOverTlsAsAnAclUser() throws Exception {
        UUID device = UUID.randomUUID();
        String valid = new String(routes.source.rabbitmq.RabbitMqTestBroker.event("redis-tls-1", device, 1, 3),
                java.nio.charset.StandardCharsets.UTF_8);
        String invalid = "{\"device_id\": \"not-a-uuid\"}";
        try (Jedis jedis = jedis()) {
            jedis.lpush(QUEUE, valid, invalid);

            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM ingest_events WHERE device_id = ?", Long.class, device) == 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> jedis.llen(DLQ) == 1);
            assertThat(jedis.lindex(DLQ, 0)).contains("not-a-uuid").contains("\"x-error-type\":\"validation\"");
            // ingest.idempotency.repository=redis keeps its keys on the same secured connection
            await().atMost(Duration.ofSeconds(10)).until(() -> !jedis.keys("ingest:idempotency:*").isEmpty());
            // the server's own view: the app is connected as the ACL user
            assertThat(jedis.clientList()).contains("user=" + USER);
        }
    }

    @Test
    void aPasswordAloneAuthenticatesAsTheDefaultUser() {
        assertThat(ping("127.0.0.1", serverCa, true, "spring.data.redis.password=" + DEFAULT_PASSWORD)).isNull();
    }

    @Test
    void aWrongPasswordIsRefused() {
        Throwable error = ping("127.0.0.1", serverCa, true, "spring.data.redis.username=" + USER,
                "spring.data.redis.password=wrong");
        assertThat(error).isNotNull();
        assertThat(messages(error)).contains("WRONGPASS");
    }

    @Test
    void aWrongCaIsRefusedNamingTheCertificatePath() {
        Throwable error = ping("127.0.0.1", otherCa, true, "spring.data.redis.password=" + DEFAULT_PASSWORD);
        assertThat(error).isNotNull();
        assertThat(messages(error)).contains("PKIX path building failed");
    }

    @Test
    void withoutAClientCertificateTheServerRefuses() {
        assertThat(ping("127.0.0.1", serverCa, false, "spring.data.redis.password=" + DEFAULT_PASSWORD)).isNotNull();
    }

    /** Spring Boot with Jedis checks no host name; RedisTls does (it connected before). */
    @Test
    void aCertificateOfAnotherHostIsRefused() {
        Throwable error = ping("127.0.0.2", serverCa, true, "spring.data.redis.password=" + DEFAULT_PASSWORD);
        assertThat(error).isNotNull();
        assertThat(messages(error)).contains("No subject alternative names matching IP address 127.0.0.2");
        assertThat(ping("127.0.0.2", serverCa, true, "spring.data.redis.password=" + DEFAULT_PASSWORD,
                "ingest.redis.ssl.verify-hostname=false")).isNull();
    }

    /** Spring Boot's Redis auto-configuration with RedisTls and the bundle "redis" from these files: PING. */
    static Throwable ping(String host, Path ca, boolean clientCertificate, String... more) {
        List<String> properties = new ArrayList<>(List.of(
                "spring.data.redis.host=" + host,
                "spring.data.redis.port=" + tls.port(),
                "spring.data.redis.timeout=5s",
                "spring.data.redis.ssl.enabled=true",
                "spring.data.redis.ssl.bundle=redis",
                "spring.ssl.bundle.pem.redis.truststore.certificate=" + ca));
        if (clientCertificate) {
            properties.add("spring.ssl.bundle.pem.redis.keystore.certificate=" + client.certificate());
            properties.add("spring.ssl.bundle.pem.redis.keystore.private-key=" + client.privateKey());
        }
        properties.addAll(List.of(more));
        Throwable[] error = new Throwable[1];
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RedisAutoConfiguration.class, SslAutoConfiguration.class))
                .withUserConfiguration(RedisTls.class)
                .withPropertyValues(properties.toArray(String[]::new))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    try (RedisConnection connection = context.getBean(RedisConnectionFactory.class).getConnection()) {
                        assertThat(connection.ping()).isEqualTo("PONG");
                    } catch (Exception e) {
                        error[0] = e;
                    }
                });
        return error[0];
    }

    static String messages(Throwable error) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            all.append(t).append(" | ");
        }
        return all.toString();
    }
}
