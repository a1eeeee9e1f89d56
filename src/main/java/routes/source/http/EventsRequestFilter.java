package routes.source.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads the body of {@code POST /v1/events} before the route does, and never more than
 * {@code ingest.sources.http.max-request-bytes}: a longer body, chunked or declared, is answered 413 as
 * soon as the limit is passed, so no request can fill the heap; a body that is not UTF-8 is answered 400
 * {@code json}. The body then reaches the route as JSON whatever its Content-Type ({@link EventsRequestBody}). Runs after the security filters, so only
 * authorised clients are read at all.
 */
final class EventsRequestFilter extends OncePerRequestFilter {

    static final String PATH = "/v1/events";

    private final int maxRequestBytes;
    private final HttpResponses responses;

    EventsRequestFilter(int maxRequestBytes, HttpResponses responses) {
        this.maxRequestBytes = maxRequestBytes;
        this.responses = responses;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod())
                || !PATH.equals(request.getRequestURI().substring(request.getContextPath().length()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxRequestBytes) {
            responses.tooLarge(response, maxRequestBytes);
            return;
        }
        byte[] body = readAtMost(request.getInputStream(), maxRequestBytes);
        if (body == null) {
            responses.tooLarge(response, maxRequestBytes);
            return;
        }
        if (!isUtf8(body)) {
            // The route's HTTP binding decodes the body: other bytes would be stored as U+FFFD.
            responses.notJson(response, "is not UTF-8 (CONTRACT §1: UTF-8 JSON)");
            return;
        }
        chain.doFilter(new EventsRequestBody(request, body), response);
    }

    /** Whether {@code body} is well-formed UTF-8, checked through a small buffer. */
    static boolean isUtf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(8 * 1024);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return false;
            }
            if (result.isUnderflow()) {
                return !decoder.flush(out.clear()).isError();
            }
            out.clear();
        }
    }

    /** The whole stream, or null as soon as it is longer than {@code limit} bytes. */
    static byte[] readAtMost(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 64 * 1024));
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
            if (total > limit) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
