package routes.chaos;

import java.util.Locale;

/**
 * Preloads the chaos run's backlog into its broker, from its own process: {@code scripts/chaos.sh} runs it
 * with the test classpath and {@code -Dchaos.*} ({@link ChaosConfig}) before it starts the app.
 */
public final class ChaosPublisher {

    private ChaosPublisher() {
    }

    public static void main(String[] args) throws Exception {
        ChaosConfig config = ChaosConfig.fromSystemProperties();
        ChaosMessages messages = config.messages();
        long start = System.nanoTime();
        try (ChaosBroker broker = config.client()) {
            broker.publish(messages.stream());
        }
        long oversized = messages.invalid().values().stream().filter(m -> m.expectedErrorType().equals("too_large")).count();
        System.out.printf(Locale.ROOT, "published %d messages to %s %s in %.1f s: %d distinct events (%d rows), "
                        + "%d byte-identical re-sends, %d invalid (%d over 1 MiB)%n",
                messages.stream().size(), config.broker(), config.queue(), (System.nanoTime() - start) / 1e9,
                messages.events(), messages.expectedRows(), messages.duplicates(), messages.invalid().size(), oversized);
    }
}
