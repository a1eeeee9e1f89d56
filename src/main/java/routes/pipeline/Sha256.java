package routes.pipeline;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A fresh SHA-256 digest, copied from one made at start: {@link MessageDigest#getInstance} looks the provider
 * up and checks the algorithm's constraints on every call, ~1 % of the app's CPU samples when every message's
 * key is hashed.
 */
public final class Sha256 {

    private static final MessageDigest PROTOTYPE = create();

    private Sha256() {
    }

    /** A new digest, ready for {@code update}. */
    public static MessageDigest digest() {
        try {
            return (MessageDigest) PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            return create(); // a provider whose digests cannot be copied: the lookup every time
        }
    }

    /** The SHA-256 of {@code bytes}. */
    public static byte[] of(byte[] bytes) {
        return digest().digest(bytes);
    }

    private static MessageDigest create() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
