package routes.delivery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The worker's certificate files, as the delivery worker had them: the configured ones, else
 * {@code certs/worker.crt}, {@code certs/worker.key} and {@code certs/ca.crt} (relative to the working
 * directory) when those files exist. Every file named must be there and readable at start-up: a worker
 * that cannot present its certificate would only park every message for its retries.
 */
public final class DeliveryCertificates {

    static final String DEFAULT_CERTIFICATE = "certs/worker.crt";
    static final String DEFAULT_PRIVATE_KEY = "certs/worker.key";
    static final String DEFAULT_CA = "certs/ca.crt";

    private DeliveryCertificates() {
    }

    /** {@code tls} with the default PEM files filled in where a key is unset and its default file exists under {@code dir}. */
    public static DeliveryProperties.Tls withDefaults(DeliveryProperties.Tls tls, Path dir) {
        if (has(tls.bundle()) || has(tls.keyStore()) || has(tls.trustStore())) {
            return tls;
        }
        return new DeliveryProperties.Tls(tls.bundle(),
                orDefault(tls.certificate(), dir, DEFAULT_CERTIFICATE),
                orDefault(tls.privateKey(), dir, DEFAULT_PRIVATE_KEY),
                tls.privateKeyPassword(),
                orDefault(tls.ca(), dir, DEFAULT_CA),
                tls.keyStore(), tls.keyStorePassword(), tls.trustStore(), tls.trustStorePassword());
    }

    /**
     * Fails, naming the key and the file, when a configured file is missing or unreadable, or when a
     * certificate comes without its private key (or a key without its certificate).
     */
    public static void check(DeliveryProperties.Tls tls) {
        if (has(tls.bundle())) {
            return;
        }
        for (Map.Entry<String, String> file : files(tls).entrySet()) {
            String value = file.getValue();
            if (!has(value) || isLocation(value)) {
                continue;
            }
            Path path = Path.of(value.startsWith("file:") ? value.substring("file:".length()) : value);
            if (!Files.exists(path)) {
                throw new InvalidCertificateException(file.getKey() + ": " + path.toAbsolutePath() + " does not exist");
            }
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new InvalidCertificateException(file.getKey() + ": " + path.toAbsolutePath()
                        + " is not a readable file");
            }
        }
        if (has(tls.certificate()) != has(tls.privateKey())) {
            throw new InvalidCertificateException(has(tls.certificate())
                    ? "ingest.delivery.tls.certificate " + tls.certificate()
                        + " is set without ingest.delivery.tls.private-key (WORKER_KEY_PATH)"
                    : "ingest.delivery.tls.private-key " + tls.privateKey()
                        + " is set without ingest.delivery.tls.certificate (WORKER_CERT_PATH)");
        }
    }

    /** The file keys in use, by their full property name. */
    static Map<String, String> files(DeliveryProperties.Tls tls) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("ingest.delivery.tls.certificate (WORKER_CERT_PATH)", tls.certificate());
        files.put("ingest.delivery.tls.private-key (WORKER_KEY_PATH)", tls.privateKey());
        files.put("ingest.delivery.tls.ca (CA_CERT_PATH)", tls.ca());
        files.put("ingest.delivery.tls.key-store", tls.keyStore());
        files.put("ingest.delivery.tls.trust-store", tls.trustStore());
        return files;
    }

    /** A missing, unreadable or unparseable certificate or key; the message names the file. */
    public static final class InvalidCertificateException extends IllegalStateException {
        public InvalidCertificateException(String message) {
            super("Delivery worker cannot start: " + message);
        }

        public InvalidCertificateException(String message, Throwable cause) {
            super("Delivery worker cannot start: " + message, cause);
        }
    }

    private static String orDefault(String configured, Path dir, String defaultFile) {
        if (has(configured)) {
            return configured;
        }
        Path candidate = dir.resolve(defaultFile);
        return Files.exists(candidate) ? candidate.toString() : configured;
    }

    /** Inline PEM and {@code classpath:} / {@code file:} locations are left to Spring's loader. */
    private static boolean isLocation(String value) {
        return value.startsWith("-----BEGIN")
                || (value.contains(":") && !value.startsWith("file:") && !value.matches("^[A-Za-z]:\\\\.*"));
    }

    private static boolean has(String value) {
        return value != null && !value.isBlank();
    }
}
