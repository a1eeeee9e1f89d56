package routes.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import routes.ops.IngestMetrics;

/** The body of POST /v1/events: bounded while it is read, and shown to the route as JSON. */
class EventsRequestFilterTest {

    static final int LIMIT = 64 * 1024;

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final EventsRequestFilter filter = new EventsRequestFilter(LIMIT,
            new HttpResponses(new ObjectMapper(), new IngestMetrics(meters)));

    @Test
    void aBodyWithoutEndIsRefusedOnceItPassesTheLimit() throws Exception {
        AtomicLong read = new AtomicLong();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/events") {
            @Override
            public ServletInputStream getInputStream() {
                return endless(read);
            }
        };
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicReference<HttpServletRequest> passed = new AtomicReference<>();

        filter.doFilter(request, response, (req, res) -> passed.set((HttpServletRequest) req));

        assertThat(passed).as("the route never sees it").hasNullValue();
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentType()).startsWith("application/json");
        assertThat(response.getContentAsString()).contains("\"error\":\"too_large\"");
        assertThat(read.get()).as("bytes read").isLessThanOrEqualTo(LIMIT + 16 * 1024);
        assertThat(meters.counter("ingest.events", "source", "http", "status", "invalid").count()).isEqualTo(1);
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedUnread() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/events") {
            @Override
            public long getContentLengthLong() {
                return 10_000_000_000L;
            }

            @Override
            public ServletInputStream getInputStream() {
                throw new AssertionError("read");
            }
        };
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(request, response, (req, res) -> { });

        assertThat(response.getStatus()).isEqualTo(413);
    }

    @Test
    void aFormPostIsShownToTheRouteAsJson() throws Exception {
        byte[] body = "[{\"device_id\":\"x\",\"k\":\"a=1&b=2\"}]".getBytes(StandardCharsets.UTF_8);
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/events");
        request.setContentType("application/x-www-form-urlencoded");
        request.setContent(body);
        AtomicReference<HttpServletRequest> passed = new AtomicReference<>();

        filter.doFilter(request, new MockHttpServletResponse(), (req, res) -> passed.set((HttpServletRequest) req));

        HttpServletRequest seen = passed.get();
        assertThat(seen.getContentType()).isEqualTo("application/json");
        assertThat(seen.getHeader("content-type")).isEqualTo("application/json");
        assertThat(seen.getParameterMap()).isEmpty();
        assertThat(seen.getInputStream().readAllBytes()).isEqualTo(body);
        assertThat(seen.getContentLength()).isEqualTo(body.length);
    }

    /**
     * The route's HTTP binding decodes the body to text: bytes that are not UTF-8 would become U+FFFD
     * and be stored so. They are refused as not JSON (CONTRACT §1: UTF-8 JSON), as the brokers' parser does.
     */
    @Test
    void aBodyThatIsNotUtf8IsRefusedAsNotJson() throws Exception {
        byte[] body = "{\"protocol\":\"bac?et\"}".getBytes(StandardCharsets.UTF_8);
        body[15] = (byte) 0xff;
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/events");
        request.setContentType("application/json");
        request.setContent(body);
        MockHttpServletResponse response = new MockHttpServletResponse();
        AtomicReference<HttpServletRequest> passed = new AtomicReference<>();

        filter.doFilter(request, response, (req, res) -> passed.set((HttpServletRequest) req));

        assertThat(passed).hasNullValue();
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentAsString()).contains("\"error\":\"json\"", "UTF-8");
        assertThat(meters.counter("ingest.errors", "source", "http", "error_type", "json").count()).isEqualTo(1);
    }

    static ServletInputStream endless(AtomicLong read) {
        return new ServletInputStream() {
            @Override
            public int read() {
                read.incrementAndGet();
                return ' ';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) ' ');
                read.addAndGet(len);
                return len;
            }

            @Override
            public boolean isFinished() {
                return false;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
            }
        };
    }
}
