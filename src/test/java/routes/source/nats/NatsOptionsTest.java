package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.NKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;

/** {@code ingest.sources.nats.*}: the NATS_* environment names, the defaults, and configurations refused at start-up. */
class NatsOptionsTest {

    /** application.yml bound as the app binds it, with these environment variables. */
    static NatsSourceProperties fromEnvironment(Map<String, Object> variables) throws Exception {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))
                .forEach(environment.getPropertySources()::addLast);
        return Binder.get(environment).bindOrCreate("ingest.sources.nats", NatsSourceProperties.class);
    }

    @Test
    void theDefaultsAreTheIssuesLimitsAndNoSecurity() throws Exception {
        NatsSourceProperties p = fromEnvironment(Map.of());
        assertThat(p.url()).isEqualTo("nats://localhost:4222");
        assertThat(p.partialBatchAfter()).isEqualTo(Duration.ofMillis(10));
        assertThat(p.streamLimits()).isEqualTo(new NatsSourceProperties.StreamLimits(Duration.ofHours(24), 1_000_000,
                DataSize.ofGigabytes(1)));
        assertThat(p.dlqStreamLimits()).isEqualTo(new NatsSourceProperties.StreamLimits(Duration.ofHours(168), 1_000_000,
                DataSize.ofGigabytes(1)));
        assertThat(p.retryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(NatsOptions.authKind(p.auth())).isEqualTo("none");
        assertThat(NatsOptions.sslContext(p.tls(), p.url(), new DefaultSslBundleRegistry())).isNull();
    }

    @Test
    void everyKeyHasItsNatsEnvironmentName() throws Exception {
        Map<String, Object> env = new HashMap<>();
        env.put("NATS_URL", "tls://nats-1:4222,tls://nats-2:4222");
        env.put("NATS_STREAM", "S");
        env.put("QUEUE_SUBJECT", "s.events");
        env.put("NATS_DURABLE", "d");
        env.put("NATS_DLQ_STREAM", "S_DLQ");
        env.put("NATS_DLQ_SUBJECT", "s.dlq");
        env.put("NATS_BATCH_SIZE", "7");
        env.put("NATS_BATCHING", "false");
        env.put("NATS_MAX_ACK_PENDING", "8");
        env.put("NATS_MAX_IN_FLIGHT", "9");
        env.put("NATS_CONCURRENCY", "3");
        env.put("NATS_ACK_WAIT", "11s");
        env.put("NATS_MAX_DELIVER", "4");
        env.put("NATS_FETCH_TIMEOUT", "2s");
        env.put("NATS_PARTIAL_BATCH_AFTER", "25ms");
        env.put("NATS_DUPLICATE_WINDOW", "3m");
        env.put("NATS_STREAM_MAX_AGE", "12h");
        env.put("NATS_STREAM_MAX_MSGS", "500");
        env.put("NATS_STREAM_MAX_BYTES", "5MB");
        env.put("NATS_DLQ_MAX_AGE", "48h");
        env.put("NATS_DLQ_MAX_MSGS", "600");
        env.put("NATS_DLQ_MAX_BYTES", "6MB");
        env.put("NATS_RETRY_AFTER", "9s");
        env.put("NATS_CONNECTION_TIMEOUT", "4s");
        env.put("NATS_RECONNECT_WAIT", "1s");
        env.put("NATS_USER", "ingest");
        env.put("NATS_PASSWORD", "pw");
        env.put("NATS_TLS", "true");
        env.put("NATS_CA", "/etc/nats/ca.pem");
        env.put("NATS_CERT", "/etc/nats/client.pem");
        env.put("NATS_KEY", "/etc/nats/client.key");
        env.put("NATS_KEY_PASSWORD", "kpw");
        env.put("NATS_TLS_BUNDLE", "nats");
        NatsSourceProperties p = fromEnvironment(env);
        assertThat(p.url()).isEqualTo("tls://nats-1:4222,tls://nats-2:4222");
        assertThat(p).extracting(NatsSourceProperties::stream, NatsSourceProperties::subject, NatsSourceProperties::durable,
                NatsSourceProperties::dlqStream, NatsSourceProperties::dlqSubject).containsExactly("S", "s.events", "d", "S_DLQ", "s.dlq");
        assertThat(p).extracting(NatsSourceProperties::batchSize, NatsSourceProperties::batching, NatsSourceProperties::maxAckPending,
                NatsSourceProperties::maxInFlight, NatsSourceProperties::concurrency, NatsSourceProperties::maxDeliver)
                .containsExactly(7, false, 8, 9, 3, 4);
        assertThat(p).extracting(NatsSourceProperties::ackWait, NatsSourceProperties::fetchTimeout, NatsSourceProperties::duplicateWindow,
                NatsSourceProperties::retryAfter, NatsSourceProperties::connectionTimeout, NatsSourceProperties::reconnectWait)
                .containsExactly(Duration.ofSeconds(11), Duration.ofSeconds(2), Duration.ofMinutes(3), Duration.ofSeconds(9),
                        Duration.ofSeconds(4), Duration.ofSeconds(1));
        assertThat(p.partialBatchAfter()).isEqualTo(Duration.ofMillis(25));
        assertThat(p.streamLimits()).isEqualTo(new NatsSourceProperties.StreamLimits(Duration.ofHours(12), 500, DataSize.ofMegabytes(5)));
        assertThat(p.dlqStreamLimits()).isEqualTo(new NatsSourceProperties.StreamLimits(Duration.ofHours(48), 600, DataSize.ofMegabytes(6)));
        assertThat(p.auth()).isEqualTo(new NatsSourceProperties.Auth("ingest", "pw", "", "", "", ""));
        assertThat(p.tls()).isEqualTo(new NatsSourceProperties.Tls(true, "nats", "/etc/nats/ca.pem", "/etc/nats/client.pem",
                "/etc/nats/client.key", "kpw"));
    }

    @Test
    void theOtherCredentialsHaveTheirNamesToo() throws Exception {
        assertThat(fromEnvironment(Map.of("NATS_TOKEN", "t")).auth().token()).isEqualTo("t");
        assertThat(fromEnvironment(Map.of("NATS_NKEY_SEED", "SUx")).auth().nkeySeed()).isEqualTo("SUx");
        assertThat(fromEnvironment(Map.of("NATS_NKEY", "/etc/nats/user.nk")).auth().nkeyFile()).isEqualTo("/etc/nats/user.nk");
        assertThat(fromEnvironment(Map.of("NATS_CREDS", "/etc/nats/ingest.creds")).auth().credsFile()).isEqualTo("/etc/nats/ingest.creds");
        assertThat(fromEnvironment(Map.of("NATS_HOST", "h", "NATS_PORT", "1")).url()).isEqualTo("nats://h:1");
        assertThat(fromEnvironment(Map.of("WORKER_CONCURRENCY", "6")).concurrency()).isEqualTo(6);
    }

    @Test
    void twoKindsOfCredentialsAreRefused() {
        NatsSourceProperties p = NatsTestSupport.properties(Map.of("auth.username", "u", "auth.password", "p", "auth.token", "t"));
        assertThatThrownBy(() -> NatsOptions.builder(p, new DefaultSslBundleRegistry()))
                .hasMessageContaining("not several").hasMessageContaining("token");
    }

    @Test
    void aUserWithoutPasswordOrABadSeedOrAMissingFileIsRefusedNamingTheKey() throws Exception {
        var bundles = new DefaultSslBundleRegistry();
        assertThatThrownBy(() -> NatsOptions.builder(NatsTestSupport.properties(Map.of("auth.username", "u")), bundles))
                .hasMessageContaining("NATS_PASSWORD");
        assertThatThrownBy(() -> NatsOptions.builder(NatsTestSupport.properties(Map.of("auth.nkey-seed", "SUnot-a-seed")), bundles))
                .hasMessageContaining("not a valid seed").hasMessageNotContaining("SUnot-a-seed");
        String accountSeed = new String(NKey.createAccount(new SecureRandom()).getSeed());
        assertThatThrownBy(() -> NatsOptions.builder(NatsTestSupport.properties(Map.of("auth.nkey-seed", accountSeed)), bundles))
                .hasMessageContaining("expected a user seed");
        assertThatThrownBy(() -> NatsOptions.builder(NatsTestSupport.properties(Map.of("auth.creds-file", "/nonexistent/x.creds")), bundles))
                .hasMessageContaining("ingest.sources.nats.auth.creds-file").hasMessageContaining("/nonexistent/x.creds");
        assertThatThrownBy(() -> NatsOptions.builder(NatsTestSupport.properties(Map.of("tls.ca", "/nonexistent/ca.pem")), bundles))
                .hasMessageContaining("ingest.sources.nats.tls.ca");
        assertThatThrownBy(() -> NatsOptions.builder(NatsTestSupport.properties(Map.of("tls.certificate", "/x.pem")), bundles))
                .hasMessageContaining("private key");
    }

    @Test
    void aTlsUrlAloneTurnsTlsOnWithTheJvmTrustStore() {
        NatsSourceProperties p = NatsTestSupport.properties(Map.of("url", "tls://nats:4222"));
        assertThat(NatsOptions.sslContext(p.tls(), p.url(), new DefaultSslBundleRegistry())).isNotNull();
    }
}
