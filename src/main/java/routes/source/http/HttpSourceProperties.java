package routes.source.http;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code ingest.sources.http.*}: the HTTP source, {@code POST /v1/events}.
 *
 * @param enabled             accept events over HTTP
 * @param publishTo           {@code none}: commit to the tables before answering 202; or a broker source
 *                            ({@code rabbitmq}, {@code nats}, {@code redis}) to publish to with a confirm
 * @param maxEventsPerRequest the largest JSON array accepted in one request
 * @param maxRequestBytes     the largest request body read; a longer one is refused with 413 while it is
 *                            read (a declared Content-Length over it at once), so no body fills the heap
 * @param trackStatus         keep a {@code message_status} row per event (id: routes.status.MessageIds),
 *                            readable at {@code GET /v1/messages/{id}}; with publish-to, {@code queued} at the 202
 */
@Validated
@ConfigurationProperties("ingest.sources.http")
public record HttpSourceProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("none") @Pattern(regexp = "none|rabbitmq|nats|redis") String publishTo,
        @DefaultValue("10000") @Min(1) int maxEventsPerRequest,
        @DefaultValue("16777216") @Min(1024) int maxRequestBytes,
        @DefaultValue("false") boolean trackStatus) {
}
