package routes.source.nats;

import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * The jnats connection {@link Options} from {@code ingest.sources.nats.*}: servers, reconnecting for ever,
 * authentication ({@code auth.*}) and TLS ({@code tls.*}). A configuration that cannot work (two kinds of
 * credentials, a missing file, a seed that is not one) fails start-up with a message naming the key.
 */
final class NatsOptions {

    private NatsOptions() {
    }

    static Options.Builder builder(NatsSourceProperties properties, SslBundles bundles) {
        Options.Builder builder = Options.builder()
                .servers(properties.url().split("\\s*,\\s*"))
                .connectionName("ingest-routes")
                .maxReconnects(-1)
                .reconnectWait(properties.reconnectWait())
                .connectionTimeout(properties.connectionTimeout());
        auth(builder, properties.auth());
        SSLContext tls = sslContext(properties.tls(), properties.url(), bundles);
        if (tls != null) {
            builder.sslContext(tls);
        }
        return builder;
    }

    /** What the connection authenticates with, for logs and health (never a secret). */
    static String authKind(NatsSourceProperties.Auth auth) {
        List<String> kinds = kinds(auth);
        return kinds.isEmpty() ? "none" : kinds.get(0);
    }

    private static List<String> kinds(NatsSourceProperties.Auth auth) {
        List<String> kinds = new ArrayList<>();
        if (has(auth.username())) {
            kinds.add("user " + auth.username());
        }
        if (has(auth.token())) {
            kinds.add("token");
        }
        if (has(auth.nkeySeed()) || has(auth.nkeyFile())) {
            kinds.add("nkey");
        }
        if (has(auth.credsFile())) {
            kinds.add("creds " + auth.credsFile());
        }
        return kinds;
    }

    private static void auth(Options.Builder builder, NatsSourceProperties.Auth auth) {
        List<String> kinds = kinds(auth);
        if (kinds.size() > 1 || (has(auth.nkeySeed()) && has(auth.nkeyFile()))) {
            throw new IllegalArgumentException("ingest.sources.nats.auth: set one of username/password, token,"
                    + " nkey-seed, nkey-file or creds-file, not several (set: " + kinds + ")");
        }
        if (has(auth.username())) {
            if (auth.password() == null) {
                throw new IllegalArgumentException("ingest.sources.nats.auth.username is set without a password"
                        + " (ingest.sources.nats.auth.password, environment NATS_PASSWORD)");
            }
            builder.userInfo(auth.username(), auth.password());
        } else if (has(auth.password())) {
            throw new IllegalArgumentException("ingest.sources.nats.auth.password is set without a username"
                    + " (ingest.sources.nats.auth.username, environment NATS_USER)");
        } else if (has(auth.token())) {
            builder.token(auth.token().toCharArray());
        } else if (has(auth.nkeySeed()) || has(auth.nkeyFile())) {
            char[] seed = has(auth.nkeySeed()) ? auth.nkeySeed().trim().toCharArray()
                    : read(auth.nkeyFile(), "ingest.sources.nats.auth.nkey-file").trim().toCharArray();
            checkSeed(seed);
            builder.authHandler(Nats.staticCredentials(null, seed));
        } else if (has(auth.credsFile())) {
            read(auth.credsFile(), "ingest.sources.nats.auth.creds-file"); // readable now, not at the first connect
            builder.authHandler(Nats.credentials(auth.credsFile()));
        }
    }

    private static void checkSeed(char[] seed) {
        try {
            NKey key = NKey.fromSeed(seed);
            if (key.getType() != NKey.Type.USER) {
                throw new IllegalArgumentException("the NKey seed of ingest.sources.nats.auth is a " + key.getType()
                        + " seed, expected a user seed (SU...)");
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("the NKey seed")) {
                throw e;
            }
            // The seed itself is a secret: not in the message.
            throw new IllegalArgumentException("ingest.sources.nats.auth: the NKey seed is not a valid seed");
        }
    }

    /** Null when TLS is off: neither asked for, nor implied by a tls:// URL, a CA, a certificate or a bundle. */
    static SSLContext sslContext(NatsSourceProperties.Tls tls, String url, SslBundles bundles) {
        boolean on = tls.enabled() || url.contains("tls://") || has(tls.bundle()) || has(tls.ca()) || has(tls.certificate());
        if (!on) {
            return null;
        }
        if (has(tls.bundle())) {
            return bundles.getBundle(tls.bundle()).createSslContext();
        }
        if (has(tls.certificate()) != has(tls.privateKey())) {
            throw new IllegalArgumentException("ingest.sources.nats.tls: a client certificate needs its private key"
                    + " and the other way round (certificate / NATS_CERT, private-key / NATS_KEY)");
        }
        if (!has(tls.ca()) && !has(tls.certificate())) {
            try {
                return SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no default TLS context in this JVM", e);
            }
        }
        PemSslStoreDetails key = null;
        if (has(tls.certificate())) {
            readable(tls.certificate(), "ingest.sources.nats.tls.certificate");
            readable(tls.privateKey(), "ingest.sources.nats.tls.private-key");
            key = PemSslStoreDetails.forCertificate(location(tls.certificate()))
                    .withPrivateKey(location(tls.privateKey())).withPrivateKeyPassword(tls.privateKeyPassword());
        }
        PemSslStoreDetails trust = null;
        if (has(tls.ca())) {
            readable(tls.ca(), "ingest.sources.nats.tls.ca");
            trust = PemSslStoreDetails.forCertificate(location(tls.ca()));
        }
        return SslBundle.of(new PemSslStoreBundle(key, trust)).createSslContext();
    }

    /** Fails start-up naming the key when a file is missing or unreadable ({@code classpath:} is left to Spring). */
    private static void readable(String file, String key) {
        if (!file.startsWith("classpath:")) {
            read(file, key);
        }
    }

    private static String read(String file, String key) {
        String path = file.startsWith("file:") ? file.substring("file:".length()) : file;
        try {
            return Files.readString(Path.of(path));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(key + ": cannot read " + file + " (" + e + ")");
        }
    }

    private static String location(String path) {
        return path.startsWith("file:") || path.startsWith("classpath:") ? path : "file:" + path;
    }

    private static boolean has(String value) {
        return value != null && !value.isBlank();
    }
}
