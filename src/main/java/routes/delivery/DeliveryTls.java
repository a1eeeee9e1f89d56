package routes.delivery;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/** Builds the client {@link SSLContext} of mutual TLS from {@code ingest.delivery.tls.*} (PEM, PKCS12 or a bundle). */
public final class DeliveryTls {

    /** TLS 1.2 and newer only. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private DeliveryTls() {
    }

    public static SSLContext sslContext(DeliveryProperties.Tls tls, SslBundles bundles) {
        if (has(tls.bundle())) {
            return bundles.getBundle(tls.bundle()).createSslContext();
        }
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
            stores = new PemSslStoreBundle(key, trust);
        }
        return SslBundle.of(stores, null, SslOptions.of(null, PROTOCOLS), "TLS").createSslContext();
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
