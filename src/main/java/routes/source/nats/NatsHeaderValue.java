package routes.source.nats;

import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * NATS header values are one line of US-ASCII (jnats refuses anything above 127, CR and LF). A value
 * that is printable ASCII travels as it is; any other (an error message quoting a non-ASCII field, the
 * truncation mark {@code …}, a non-ASCII trace id, a multi-line SQL error) travels as one RFC 2047
 * encoded word, {@code =?UTF-8?B?<base64 of its UTF-8 bytes>?=}, which decodes back to it exactly
 * (e.g. {@code jakarta.mail.internet.MimeUtility.decodeText}). A printable value that itself looks like
 * an encoded word is encoded too, so decoding is never ambiguous.
 */
public final class NatsHeaderValue {

    private static final String PREFIX = "=?UTF-8?B?";
    private static final String SUFFIX = "?=";

    private NatsHeaderValue() {
    }

    public static String encode(String value) {
        if (isPrintableAscii(value) && !(value.startsWith("=?") && value.endsWith("?="))) {
            return value;
        }
        return PREFIX + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + SUFFIX;
    }

    /** NATS headers of {@code headers}, each value {@link #encode}d; null values left out. */
    public static Headers headers(Map<String, String> headers) {
        Headers nats = new Headers();
        headers.forEach((k, v) -> {
            if (v != null) {
                nats.put(k, encode(v));
            }
        });
        return nats;
    }

    /** The value {@link #encode} was given (a value that is no encoded word is returned as it is). */
    public static String decode(String value) {
        if (value.startsWith(PREFIX) && value.endsWith(SUFFIX) && value.length() >= PREFIX.length() + SUFFIX.length()) {
            try {
                byte[] bytes = Base64.getDecoder().decode(value.substring(PREFIX.length(), value.length() - SUFFIX.length()));
                return new String(bytes, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return value;
            }
        }
        return value;
    }

    private static boolean isPrintableAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
