package routes.delivery;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;
import org.springframework.boot.ssl.pem.PemSslStore;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import routes.delivery.DeliveryCertificates.InvalidCertificateException;

/** Builds the client {@link SSLContext} of mutual TLS from {@code ingest.delivery.tls.*} (PEM, PKCS12 or a bundle). */
public final class DeliveryTls {

    /** TLS 1.2 and newer only. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private DeliveryTls() {
    }

    /**
     * The client context. A file that cannot be read or parsed fails with an
     * {@link InvalidCertificateException} naming it (see {@link DeliveryCertificates#check}).
     */
    public static SSLContext sslContext(DeliveryProperties.Tls tls, SslBundles bundles) {
        if (has(tls.bundle())) {
            return bundles.getBundle(tls.bundle()).createSslContext();
        }
        DeliveryCertificates.check(tls);
        SslStoreBundle stores;
        if (has(tls.keyStore()) || has(tls.trustStore())) {
            JksSslStoreDetails key = has(tls.keyStore())
                    ? new JksSslStoreDetails("PKCS12", null, location(tls.keyStore()), tls.keyStorePassword()) : null;
            JksSslStoreDetails trust = has(tls.trustStore())
                    ? new JksSslStoreDetails("PKCS12", null, location(tls.trustStore()), tls.trustStorePassword()) : null;
            stores = new JksSslStoreBundle(key, trust);
        } else {
            PemSslStoreDetails key = has(tls.certificate())
                    ? PemSslStoreDetails.forCertificate(location(tls.certificate()))
                        .withPrivateKey(location(tls.privateKey())).withPrivateKeyPassword(tls.privateKeyPassword())
                    : null;
            PemSslStoreDetails trust = has(tls.ca()) ? PemSslStoreDetails.forCertificate(location(tls.ca())) : null;
            if (key != null) {
                loadable(key, "ingest.delivery.tls.certificate", tls.certificate(), true);
                loadable(key, "ingest.delivery.tls.private-key", tls.privateKey(), false);
            }
            if (trust != null) {
                loadable(trust, "ingest.delivery.tls.ca", tls.ca(), true);
            }
            stores = new PemSslStoreBundle(key, trust);
        }
        try {
            return SslBundle.of(stores, null, SslOptions.of(null, PROTOCOLS), "TLS").createSslContext();
        } catch (RuntimeException e) {
            throw new InvalidCertificateException("cannot build the client TLS context from "
                    + String.join(", ", DeliveryCertificates.files(tls).entrySet().stream()
                        .filter(f -> has(f.getValue())).map(f -> f.getKey() + " " + f.getValue()).toList())
                    + ": " + DeliverySink.describe(e), e);
        }
    }

    /** Parses the certificates (or the private key) of {@code details} now, so a bad file is named. */
    private static void loadable(PemSslStoreDetails details, String key, String file, boolean certificates) {
        try {
            PemSslStore store = PemSslStore.load(details);
            boolean found = certificates ? !store.certificates().isEmpty() : store.privateKey() != null;
            if (!found) {
                throw new IllegalStateException(certificates ? "no PEM certificate in it" : "no PEM private key in it");
            }
        } catch (RuntimeException e) {
            throw new InvalidCertificateException(key + ": cannot read " + file + " (" + DeliverySink.describe(e) + ")", e);
        }
    }

    /** Restricts the client to TLS 1.2+ and turns on host name verification (HTTPS endpoint identification). */
    public static SSLParameters parameters() {
        SSLParameters params = new SSLParameters();
        params.setProtocols(PROTOCOLS);
        params.setEndpointIdentificationAlgorithm("HTTPS");
        return params;
    }

    private static boolean has(String value) {
        return value != null && !value.isBlank();
    }

    /** A plain path is a file; {@code classpath:} and {@code file:} locations pass through. */
    private static String location(String path) {
        if (path == null || path.startsWith("-----BEGIN")) {
            return path;
        }
        return path.contains(":") && !path.matches("^[A-Za-z]:\\\\.*") ? path : "file:" + path;
    }
}
