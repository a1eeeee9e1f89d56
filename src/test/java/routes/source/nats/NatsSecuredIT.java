package routes.source.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.NKey;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.support.JwtUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import routes.delivery.TestPki;

/**
 * A secured NATS, as production runs it: for each way the app can authenticate or encrypt, a nats-server
 * of the test's own started with that setting, and the app's connector built from
 * {@code ingest.sources.nats.*} as the application binds it. Each case publishes through the nats source
 * (JetStream PubAck) and reads the message back through the durable the app creates: JetStream works over
 * that connection. The wrong secret is refused, and the refusal is what the health says.
 */
class NatsSecuredIT {

    static final String STREAM = "IT_NATS_SECURED";
    static final String SUBJECT = "it.nats.secured.events";
    static final String DURABLE = "it_nats_secured";

    @TempDir
    static Path dir;
    static TestPki.Issued ca;
    static Path caFile;
    static TestPki.Paths serverPem;
    static TestPki.Paths clientPem;

    @BeforeAll
    static void pki() throws Exception {
        ca = TestPki.ca("it-nats-ca");
        caFile = TestPki.writeCa(ca, dir, "ca");
        serverPem = TestPki.server(ca, "localhost").writePem(dir, "server");
        clientPem = TestPki.client(ca, "ingest-routes").writePem(dir, "client");
    }

    @Test
    void userAndPassword() throws Exception {
        try (OwnNatsServer server = started("authorization { user: \"ingest\", password: \"s3cret-pw\" }")) {
            worksWith(server.url(), Map.of("auth.username", "ingest", "auth.password", "s3cret-pw"), none());
            refused(server.url(), Map.of("auth.username", "ingest", "auth.password", "wrong"), "Authorization Violation");
        }
    }

    @Test
    void token() throws Exception {
        try (OwnNatsServer server = started("authorization { token: \"t0ken-for-ingest\" }")) {
            worksWith(server.url(), Map.of("auth.token", "t0ken-for-ingest"), none());
            refused(server.url(), Map.of("auth.token", "another-token"), "Authorization Violation");
        }
    }

    @Test
    void nkeySeedAsTextAndAsFile() throws Exception {
        NKey user = NKey.createUser(new SecureRandom());
        String seed = new String(user.getSeed());
        Path seedFile = Files.writeString(dir.resolve("user.nk"), seed + "\n");
        try (OwnNatsServer server = started("authorization { users: [ { nkey: \"" + new String(user.getPublicKey()) + "\" } ] }")) {
            worksWith(server.url(), Map.of("auth.nkey-seed", seed), none());
            worksWith(server.url(), Map.of("auth.nkey-file", seedFile.toString()), none());
            String other = new String(NKey.createUser(new SecureRandom()).getSeed());
            refused(server.url(), Map.of("auth.nkey-seed", other), "Authorization Violation");
        }
    }

    /**
     * Decentralised auth: an operator, an account with JetStream, a user JWT signed by the account, all made
     * here with jnats (no nsc); the server resolves the account from memory. The app gets the .creds file.
     */
    @Test
    void credsFile() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        NKey operator = NKey.createOperator(new SecureRandom());
        NKey account = NKey.createAccount(new SecureRandom());
        NKey user = NKey.createUser(new SecureRandom());
        String operatorPub = new String(operator.getPublicKey());
        String accountPub = new String(account.getPublicKey());
        String operatorJwt = JwtUtils.issueJWT(operator, operatorPub, "it-operator", null, now, operatorPub,
                () -> "{\"type\":\"operator\",\"version\":2}");
        String accountJwt = JwtUtils.issueJWT(operator, accountPub, "it-account", null, now, operatorPub,
                () -> "{\"limits\":{\"subs\":-1,\"data\":-1,\"payload\":-1,\"imports\":-1,\"exports\":-1,"
                        + "\"wildcards\":true,\"conn\":-1,\"leaf\":-1,\"mem_storage\":-1,\"disk_storage\":-1,"
                        + "\"streams\":-1,\"consumer\":-1},\"type\":\"account\",\"version\":2}");
        // JetStream in operator mode needs a system account.
        NKey system = NKey.createAccount(new SecureRandom());
        String systemPub = new String(system.getPublicKey());
        String systemJwt = JwtUtils.issueJWT(operator, systemPub, "SYS", null, now, operatorPub,
                () -> "{\"type\":\"account\",\"version\":2}");
        String userJwt = JwtUtils.issueUserJWT(account, accountPub, new String(user.getPublicKey()), "ingest");
        Path creds = Files.writeString(dir.resolve("ingest.creds"), """
                -----BEGIN NATS USER JWT-----
                %s
                ------END NATS USER JWT------

                -----BEGIN USER NKEY SEED-----
                %s
                ------END USER NKEY SEED------
                """.formatted(userJwt, new String(user.getSeed())));
        String config = "operator: \"" + operatorJwt + "\"\nsystem_account: " + systemPub
                + "\nresolver: MEMORY\nresolver_preload: { " + accountPub + ": \"" + accountJwt + "\", "
                + systemPub + ": \"" + systemJwt + "\" }\n";
        try (OwnNatsServer server = started(config)) {
            worksWith(server.url(), Map.of("auth.creds-file", creds.toString()), none());
            // A user of another (unknown) account is refused.
            NKey stranger = NKey.createAccount(new SecureRandom());
            NKey strangerUser = NKey.createUser(new SecureRandom());
            Path strangerCreds = Files.writeString(dir.resolve("stranger.creds"), """
                    -----BEGIN NATS USER JWT-----
                    %s
                    ------END NATS USER JWT------

                    -----BEGIN USER NKEY SEED-----
                    %s
                    ------END USER NKEY SEED------
                    """.formatted(JwtUtils.issueUserJWT(stranger, new String(stranger.getPublicKey()),
                    new String(strangerUser.getPublicKey())), new String(strangerUser.getSeed())));
            refused(server.url(), Map.of("auth.creds-file", strangerCreds.toString()), "Authorization Violation");
        }
    }

    @Test
    void tlsWithTheServersCaFromAFileOrASpringBundle() throws Exception {
        String tls = "tls { cert_file: \"" + serverPem.certificate() + "\", key_file: \"" + serverPem.privateKey() + "\" }";
        try (OwnNatsServer server = started(tls)) {
            worksWith(server.url(), Map.of("tls.ca", caFile.toString()), none());
            DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry();
            bundles.registerBundle("nats", SslBundle.of(new PemSslStoreBundle(null,
                    PemSslStoreDetails.forCertificate("file:" + caFile))));
            worksWith(server.url(), Map.of("tls.bundle", "nats"), bundles);
            // Without TLS configured the client does not speak TLS to a server that requires it.
            refused(server.url(), Map.of(), "SSL required by server");
        }
    }

    @Test
    void mutualTlsWithAClientCertificate() throws Exception {
        String tls = "tls { cert_file: \"" + serverPem.certificate() + "\", key_file: \"" + serverPem.privateKey()
                + "\", ca_file: \"" + caFile + "\", verify: true }";
        try (OwnNatsServer server = started(tls)) {
            worksWith(server.url(), Map.of("tls.ca", caFile.toString(), "tls.certificate", clientPem.certificate().toString(),
                    "tls.private-key", clientPem.privateKey().toString()), none());
            // The CA alone is not enough: the server asks for a client certificate.
            refused(server.url(), Map.of("tls.ca", caFile.toString()), "");
        }
    }

    private static OwnNatsServer started(String config) throws Exception {
        OwnNatsServer server = new OwnNatsServer(config);
        server.start();
        return server;
    }

    private static SslBundles none() {
        return new DefaultSslBundleRegistry();
    }

    private static NatsSourceProperties properties(String url, Map<String, String> keys) {
        Map<String, String> all = new HashMap<>(keys);
        all.put("url", url);
        all.put("stream", STREAM);
        all.put("subject", SUBJECT);
        all.put("durable", DURABLE);
        all.put("dlq-stream", STREAM + "_DLQ");
        all.put("dlq-subject", "it.nats.secured.dlq");
        all.put("connection-timeout", "3s");
        all.put("reconnect-wait", "200ms");
        return NatsTestSupport.properties(all);
    }

    /** Connects as the app does, publishes through the nats source and takes the message back from its durable. */
    private static void worksWith(String url, Map<String, String> keys, SslBundles bundles) throws Exception {
        NatsSourceProperties properties = properties(url, keys);
        try (NatsConnector nats = NatsConnector.of(properties, bundles)) {
            nats.start(Duration.ofSeconds(10));
            assertThat(nats.unavailableReason()).as("connected with %s", keys.keySet()).isNull();
            String body = "{\"secured\":\"" + keys.keySet() + "\"}";
            new NatsSource(nats, properties).publish(body.getBytes(StandardCharsets.UTF_8), Map.of());
            JetStream jetStream = nats.jetStream(new JetStreamTopology.DurableSpec(STREAM, SUBJECT, DURABLE,
                    properties.ackWait(), properties.maxAckPending()), Duration.ofSeconds(5));
            JetStreamSubscription subscription = jetStream.subscribe(SUBJECT, PullSubscribeOptions.bind(STREAM, DURABLE));
            List<Message> messages = subscription.fetch(10, Duration.ofSeconds(5));
            assertThat(messages).extracting(m -> new String(m.getData(), StandardCharsets.UTF_8)).containsExactly(body);
            messages.forEach(Message::ack);
            subscription.unsubscribe();
            assertThat(nats.details()).containsEntry("status", "CONNECTED").doesNotContainKeys("differences", "problems")
                    .containsEntry("tls", keys.keySet().stream().anyMatch(k -> k.startsWith("tls.")));
        }
    }

    /** The same configuration with the wrong secret: never connected, and the reason names the refusal. */
    private static void refused(String url, Map<String, String> keys, String reason) throws Exception {
        try (NatsConnector nats = NatsConnector.of(properties(url, keys), none())) {
            nats.start(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(nats.unavailableReason()).isNotNull().contains(reason));
            assertThat(nats.connected()).isNull();
        }
    }
}
