package routes.source.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;
import routes.pipeline.IngestExchange;
import routes.pipeline.InvalidMessageException;

/** The answers of {@code POST /v1/events}. */
@Component
public class HttpResponses {

    private final ObjectMapper mapper;

    public HttpResponses(ObjectMapper mapper) {
        this.mapper = mapper;
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
        List<Map<String, String>> errors = e.errors().stream()
                .map(f -> Map.of("field", f.field(), "message", f.message())).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.errorType());
        body.put("errors", errors);
        write(exchange, 400, body);
    }

    /** 503: the events are not safe yet; the client should send them again. */
    public void unavailable(Exchange exchange) throws Exception {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "unavailable");
        body.put("message", e == null ? "not committed" : e.getMessage());
        body.put("trace_id", exchange.getProperty(IngestExchange.TRACE_ID, String.class));
        write(exchange, 503, body);
    }

    private void write(Exchange exchange, int status, Map<String, Object> body) throws Exception {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(mapper.writeValueAsString(body));
    }
}
