package routes.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mutual-TLS client against a real HTTPS server that requires client certificates (certificates made here). */
class DeliveryTlsTest {

    @TempDir
    static Path dir;
    static TestPki.Issued ca;
    static TestPki.Issued otherCa;
    static MainServerStub server;
    static Path caFile;

    @BeforeAll
    static void startServer() throws Exception {
        ca = TestPki.ca("test-ca");
        otherCa = TestPki.ca("other-ca");
        caFile = TestPki.writeCa(ca, dir, "ca");
        server = new MainServerStub(TestPki.serverContext(TestPki.server(ca, "localhost"), ca));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void pemClientCertificateFromTheTrustedCaIsAccepted() throws Exception {
        TestPki.Paths client = TestPki.client(ca, "worker-1").writePem(dir, "good");
        DeliveryClient http = client(pem(client.certificate().toString(), client.privateKey().toString(), caFile.toString()),
                server.baseUrl());
        int before = server.delivered().size();

        http.deliver("{\"message_id\":\"tls-1\"}");

        assertThat(server.delivered()).hasSize(before + 1);
        assertThat(server.delivered().get(before).body()).contains("tls-1");
    }

    @Test
    void pkcs12StoresWorkToo() throws Exception {
        TestPki.Issued client = TestPki.client(ca, "worker-p12");
        Path keyStore = client.writePkcs12(dir, "client", "secret");
        Path trustStore = TestPki.writeTrustStore(ca, dir, "trust", "secret2");
        DeliveryProperties.Tls tls = new DeliveryProperties.Tls(null, null, null, null, null,
                keyStore.toString(), "secret", trustStore.toString(), "secret2");

        client(tls, server.baseUrl()).deliver("{\"message_id\":\"tls-p12\"}");

        assertThat(server.delivered()).anyMatch(r -> r.body().contains("tls-p12"));
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        DeliveryClient http = client(pem(null, null, caFile.toString()), server.baseUrl());
        int before = server.deliveries.size();

        assertThatThrownBy(() -> http.deliver("{\"message_id\":\"tls-none\"}")).isInstanceOf(IOException.class);
        assertThat(server.deliveries).hasSize(before);
    }

    @Test
    void certificateFromAnotherCaIsRefused() throws Exception {
        TestPki.Paths stranger = TestPki.client(otherCa, "stranger").writePem(dir, "stranger");
        DeliveryClient http = client(pem(stranger.certificate().toString(), stranger.privateKey().toString(),
                caFile.toString()), server.baseUrl());
        int before = server.deliveries.size();

        assertThatThrownBy(() -> http.deliver("{\"message_id\":\"tls-other\"}")).isInstanceOf(IOException.class);
        assertThat(server.deliveries).hasSize(before);
    }

    @Test
    void serverWhoseCertificateNamesAnotherHostIsRefused() throws Exception {
        try (MainServerStub wrongName = new MainServerStub(
                TestPki.serverContext(TestPki.server(ca, "main.example.org"), ca))) {
            TestPki.Paths client = TestPki.client(ca, "worker-2").writePem(dir, "good2");
            // The certificate names main.example.org and 127.0.0.1, not localhost: host name verification must refuse.
            DeliveryClient http = client(pem(client.certificate().toString(), client.privateKey().toString(),
                    caFile.toString()), wrongName.baseUrl());

            assertThatThrownBy(() -> http.deliver("{\"message_id\":\"tls-host\"}"))
                    .isInstanceOf(IOException.class)
                    .hasStackTraceContaining("localhost");
            assertThat(wrongName.deliveries).isEmpty();
        }
    }

    @Test
    void onlyTls12AndNewerAreEnabled() throws Exception {
        SSLContext context = DeliveryTls.sslContext(pem(null, null, caFile.toString()), null);
        assertThat(DeliveryTls.parameters().getProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(DeliveryTls.parameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(context.getProtocol()).isEqualTo("TLS");
    }

    private static DeliveryProperties.Tls pem(String cert, String key, String caPath) {
        return new DeliveryProperties.Tls(null, cert, key, null, caPath, null, null, null, null);
    }

    private static DeliveryClient client(DeliveryProperties.Tls tls, String baseUrl) {
        return new DeliveryClient(DeliveryTls.sslContext(tls, null), baseUrl, "/internal/messages/deliver",
                "/internal/messages/{id}/status", Duration.ofSeconds(5));
    }
}
