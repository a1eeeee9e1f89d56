package routes.source.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import routes.ops.IngestMetrics;
import routes.pipeline.IngestExchange;
import routes.pipeline.validate.InvalidMessageException;
import routes.pipeline.validate.InvalidMessageException.FieldError;
import routes.source.PublishRefusedException;

/**
 * The answers of {@code POST /v1/events}, all JSON. A refused request (400, 413) counts once in
 * {@code ingest_events_total{source="http",status="invalid"}} and in {@code ingest_errors_total} by its
 * error type: per request, as CONTRACT §5 puts it, since a body that is not JSON has no events to count.
 */
@Component
public class HttpResponses {

    static final String SOURCE = "http";

    private final ObjectMapper mapper;
    private final IngestMetrics metrics;

    public HttpResponses(ObjectMapper mapper, IngestMetrics metrics) {
        this.mapper = mapper;
        this.metrics = metrics;
    }

    /** Every event of the request is committed, a duplicate, filtered or dead-lettered; else its first failure (503). */
    @SuppressWarnings("unchecked")
    public void settled(Exchange request) throws Exception {
        for (Exchange event : (List<Exchange>) request.getMessage().getBody(List.class)) {
            if (event.getException() != null) {
                throw event.getException();
            }
        }
    }

    /** 202: every event is committed (or durably parked in the dead letters) or confirmed by the broker. */
    public void accepted(Exchange exchange, int count) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", count);
        body.put("trace_id", exchange.getProperty(IngestExchange.TRACE_ID, String.class));
        write(exchange, 202, body);
    }

    /** 400 naming every broken field. */
    public void invalid(Exchange exchange) throws Exception {
        InvalidMessageException e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, InvalidMessageException.class);
        refused(e.errorType());
        write(exchange, 400, refusal(e.errorType(), e.errors()));
    }

    /** 413, written before the route runs: the body is over {@code ingest.sources.http.max-request-bytes}. */
    void tooLarge(HttpServletResponse response, int maxRequestBytes) throws IOException {
        // The rest of the body is not read: the connection cannot be used for another request.
        response.setHeader("Connection", "close");
        refuse(response, 413, "too_large", "the request body is over " + maxRequestBytes + " bytes");
    }

    /** 400 {@code json}, written before the route runs. */
    void notJson(HttpServletResponse response, String message) throws IOException {
        refuse(response, 400, "json", message);
    }

    private void refuse(HttpServletResponse response, int status, String errorType, String message) throws IOException {
        refused(errorType);
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(mapper.writeValueAsBytes(refusal(errorType, List.of(new FieldError("$", message)))));
    }

    /**
     * 503: the events are not safe yet; the client should send them again. When the broker of
     * {@code publish-to} refused them for now (its stream full, not connected), with {@code Retry-After}.
     */
    public void unavailable(Exchange exchange) throws Exception {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "unavailable");
        body.put("message", e == null ? "not committed" : String.valueOf(e.getMessage()));
        body.put("trace_id", exchange.getProperty(IngestExchange.TRACE_ID, String.class));
        write(exchange, 503, body);
        PublishRefusedException refused = PublishRefusedException.in(e);
        if (refused != null) {
            exchange.getMessage().setHeader("Retry-After", Math.max(1, refused.retryAfter().toSeconds()));
        }
    }

    private void refused(String errorType) {
        metrics.event(SOURCE, "invalid", 1);
        metrics.error(SOURCE, errorType);
    }

    private static Map<String, Object> refusal(String errorType, List<FieldError> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", errorType);
        body.put("errors", errors.stream().map(f -> {
            Map<String, String> error = new LinkedHashMap<>();
            error.put("field", f.field());
            error.put("message", f.message());
            return error;
        }).toList());
        return body;
    }

    private void write(Exchange exchange, int status, Map<String, Object> body) throws Exception {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(mapper.writeValueAsString(body));
    }
}
