package routes.status;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ingest.status.*}: how the pipeline writes {@code message_status} for sources with
 * {@code ingest.sources.<name>.track-status=true}.
 *
 * @param recordRunning write "running" (with received_at) when a batch's messages enter the pipeline: one
 *                      multi-row statement per batch, committed before the rows, so that a message whose
 *                      attempt is under way (or died with the process) says so; off, the row is written
 *                      once, with its start time, in the transaction that commits the message's rows
 */
@ConfigurationProperties("ingest.status")
public record StatusProperties(@DefaultValue("true") boolean recordRunning) {
}
