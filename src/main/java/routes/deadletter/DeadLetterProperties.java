package routes.deadletter;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code ingest.dead-letters.*}: bulk replay ({@code POST /v1/dead-letters/replay?source=}) and what the
 * table keeps of an oversized body.
 *
 * @param replayPageSize dead letters read from the table and replayed at a time: only one page of
 *                       payloads is in memory at once
 * @param replayLimit    dead letters one bulk replay request replays at most; the answer says how many
 *                       it did, and the next request goes on with the rest
 * @param tooLargePrefixBytes how much of a {@code too_large} body (over 1 MiB) the table keeps, with its
 *                       size and SHA-256 ({@link StoredPayload}); the broker's dead-letter copy keeps it whole
 */
@Validated
@ConfigurationProperties("ingest.dead-letters")
public record DeadLetterProperties(
        @DefaultValue("200") @Min(1) int replayPageSize,
        @DefaultValue("10000") @Min(1) int replayLimit,
        @DefaultValue("65536") @Min(0) @Max(1048576) int tooLargePrefixBytes) {
}
