package routes.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import routes.delivery.DeliveryCertificates.InvalidCertificateException;

/**
 * The worker's certificate files at start-up: certs/worker.crt, certs/worker.key and certs/ca.crt by
 * default when they exist, and a configured file that is missing, not a file or not PEM fails with a
 * message naming it (before this, a missing file gave a worker that started and retried for ever).
 */
class DeliveryCertificatesTest {

    @TempDir
    static Path dir;
    static TestPki.Paths client;
    static Path ca;

    @BeforeAll
    static void certificates() throws Exception {
        TestPki.Issued authority = TestPki.ca("certs-ca");
        ca = TestPki.writeCa(authority, dir, "ca");
        client = TestPki.client(authority, "worker").writePem(dir, "worker");
    }

    static DeliveryProperties.Tls pem(String certificate, String key, String ca) {
        return new DeliveryProperties.Tls(null, certificate, key, null, ca, null, null, null, null);
    }

    @Test
    void unsetFilesDefaultToTheWorkersCertsDirectoryWhenTheFilesExist(@TempDir Path workDir) throws Exception {
        DeliveryProperties.Tls none = pem("", null, "");
        assertThat(DeliveryCertificates.withDefaults(none, workDir)).isEqualTo(none);

        Path certs = Files.createDirectories(workDir.resolve("certs"));
        Files.copy(client.certificate(), certs.resolve("worker.crt"));
        Files.copy(client.privateKey(), certs.resolve("worker.key"));
        Files.copy(ca, certs.resolve("ca.crt"));
        DeliveryProperties.Tls defaulted = DeliveryCertificates.withDefaults(none, workDir);

        assertThat(defaulted.certificate()).isEqualTo(workDir.resolve("certs/worker.crt").toString());
        assertThat(defaulted.privateKey()).isEqualTo(workDir.resolve("certs/worker.key").toString());
        assertThat(defaulted.ca()).isEqualTo(workDir.resolve("certs/ca.crt").toString());
        assertThat(DeliveryTls.sslContext(defaulted, null)).isNotNull();
        // A configured file wins over the default one.
        assertThat(DeliveryCertificates.withDefaults(pem("/etc/w.crt", "/etc/w.key", null), workDir).certificate())
                .isEqualTo("/etc/w.crt");
    }

    @Test
    void aMissingCertificateFailsNamingTheFile() {
        Path missing = dir.resolve("no-such-worker.crt");
        assertThatThrownBy(() -> DeliveryTls.sslContext(pem(missing.toString(), client.privateKey().toString(), null), null))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("ingest.delivery.tls.certificate (WORKER_CERT_PATH)")
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aMissingKeyOrCaFailsNamingTheFile() {
        Path missingKey = dir.resolve("gone.key");
        assertThatThrownBy(() -> DeliveryTls.sslContext(pem(client.certificate().toString(), missingKey.toString(), null), null))
                .hasMessageContaining("WORKER_KEY_PATH").hasMessageContaining(missingKey.toString());
        Path missingCa = dir.resolve("gone-ca.crt");
        assertThatThrownBy(() -> DeliveryTls.sslContext(pem(null, null, "file:" + missingCa), null))
                .hasMessageContaining("CA_CERT_PATH").hasMessageContaining(missingCa.toString());
    }

    @Test
    void aDirectoryOrAFileThatIsNotPemFailsNamingIt() throws Exception {
        assertThatThrownBy(() -> DeliveryTls.sslContext(pem(null, null, dir.toString()), null))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("is not a readable file").hasMessageContaining(dir.toString());

        Path garbage = Files.writeString(dir.resolve("garbage.crt"), "this is not a certificate\n");
        assertThatThrownBy(() -> DeliveryTls.sslContext(pem(garbage.toString(), client.privateKey().toString(), null), null))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("ingest.delivery.tls.certificate").hasMessageContaining(garbage.toString());
        Path garbageKey = Files.writeString(dir.resolve("garbage.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> DeliveryTls.sslContext(pem(client.certificate().toString(), garbageKey.toString(), null), null))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("ingest.delivery.tls.private-key").hasMessageContaining(garbageKey.toString());
        assertThatThrownBy(() -> DeliveryTls.sslContext(pem(null, null, garbage.toString()), null))
                .hasMessageContaining("ingest.delivery.tls.ca").hasMessageContaining(garbage.toString());
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() {
        assertThatThrownBy(() -> DeliveryTls.sslContext(pem(client.certificate().toString(), "", null), null))
                .hasMessageContaining("without ingest.delivery.tls.private-key (WORKER_KEY_PATH)");
    }

    @Test
    void noCertificateAtAllIsAllowed() {
        // The server then refuses the handshake and the message is retried (DeliveryIT).
        assertThat(DeliveryTls.sslContext(pem("", "", ""), null)).isNotNull();
    }
}
