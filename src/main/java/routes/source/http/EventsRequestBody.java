package routes.source.http;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The body of {@code POST /v1/events}, already read, shown to the route as JSON whatever Content-Type
 * the client sent: curl's default {@code application/x-www-form-urlencoded} would otherwise make the
 * HTTP binding parse it as form fields. The events are JSON by the contract (CONTRACT §2).
 */
final class EventsRequestBody extends HttpServletRequestWrapper {

    static final String JSON = "application/json";

    private final byte[] body;

    EventsRequestBody(HttpServletRequest request, byte[] body) {
        super(request);
        this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        return new ServletInputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return in.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException("the body is read already");
            }
        };
    }

    @Override
    public BufferedReader getReader() {
        return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }

    @Override
    public String getCharacterEncoding() {
        return StandardCharsets.UTF_8.name();
    }

    @Override
    public int getContentLength() {
        return body.length;
    }

    @Override
    public long getContentLengthLong() {
        return body.length;
    }

    @Override
    public String getContentType() {
        return JSON;
    }

    @Override
    public String getHeader(String name) {
        if ("Content-Type".equalsIgnoreCase(name)) {
            return JSON;
        }
        if ("Content-Length".equalsIgnoreCase(name)) {
            return Integer.toString(body.length);
        }
        return "Transfer-Encoding".equalsIgnoreCase(name) ? null : super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        String value = getHeader(name);
        if ("Content-Type".equalsIgnoreCase(name) || "Content-Length".equalsIgnoreCase(name)
                || "Transfer-Encoding".equalsIgnoreCase(name)) {
            return value == null ? Collections.emptyEnumeration() : Collections.enumeration(java.util.List.of(value));
        }
        return super.getHeaders(name);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (Enumeration<String> e = super.getHeaderNames(); e.hasMoreElements(); ) {
            String name = e.nextElement();
            if (!"Content-Type".equalsIgnoreCase(name) && !"Content-Length".equalsIgnoreCase(name)
                    && !"Transfer-Encoding".equalsIgnoreCase(name)) {
                names.add(name);
            }
        }
        names.add("Content-Type");
        names.add("Content-Length");
        return Collections.enumeration(names);
    }

    // The endpoint takes no parameters: nothing may parse the (already read) body as form fields.

    @Override
    public String getParameter(String name) {
        return null;
    }

    @Override
    public java.util.Map<String, String[]> getParameterMap() {
        return java.util.Map.of();
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.emptyEnumeration();
    }

    @Override
    public String[] getParameterValues(String name) {
        return null;
    }
}
