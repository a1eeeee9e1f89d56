package routes.source.redis;

/**
 * Strict UTF-8 validation of bytes without decoding them (the well-formed sequences of RFC 3629 /
 * Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF): what the JDK's decoder
 * accepts with {@code CodingErrorAction.REPORT}, without building a String of a 1 MiB body to find out.
 */
final class Utf8 {

    private Utf8() {
    }

    static boolean isValid(byte[] bytes) {
        int i = 0;
        int n = bytes.length;
        while (i < n) {
            if (i + ByteWords.SIZE <= n && ByteWords.allAscii(ByteWords.at(bytes, i))) {
                i += ByteWords.SIZE; // a run of ASCII, as most of a message is
                continue;
            }
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            b &= 0xFF;
            int length;
            int low = 0x80;
            int high = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                if (b == 0xE0) {
                    low = 0xA0;
                } else if (b == 0xED) {
                    high = 0x9F;
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                if (b == 0xF0) {
                    low = 0x90;
                } else if (b == 0xF4) {
                    high = 0x8F;
                }
            } else {
                return false;
            }
            if (i + length > n) {
                return false;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < low || second > high) {
                return false;
            }
            for (int k = 2; k < length; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += length;
        }
        return true;
    }
}
