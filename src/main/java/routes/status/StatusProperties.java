package routes.status;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ingest.status.*}: how the pipeline writes {@code message_status} for sources with
 * {@code ingest.sources.<name>.track-status=true}.
 *
 * @param recordRunning also write "running" when a message enters the pipeline: one extra commit per
 *                      message (halves throughput in StatusBenchmark); off, the row is written once,
 *                      with its start time, in the transaction that commits the message's rows
 */
@ConfigurationProperties("ingest.status")
public record StatusProperties(@DefaultValue("false") boolean recordRunning) {
}
