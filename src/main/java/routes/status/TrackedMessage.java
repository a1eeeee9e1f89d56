package routes.status;

/**
 * A message whose status is tracked, carried on its exchange through the pipeline.
 *
 * @param id              the message_status id
 * @param source          the source name
 * @param attempt         this attempt's number, from 1
 * @param startedAtMillis when this attempt started (epoch ms)
 */
public record TrackedMessage(String id, String source, int attempt, long startedAtMillis) {
}
