package routes.chaos;

/**
 * What scripts/chaos.sh hands the publisher and the report, as {@code -Dchaos.*} system properties:
 * the broker, the backlog's sizes, where the brokers and the throw-away database listen, and the run's
 * own names (queue or stream or list, its dead-letter destination).
 */
public record ChaosConfig(String broker, int events, int duplicateEvery, int invalidEvery, int oversized,
                          String databaseUrl, String host, int port, String queue, String subject,
                          String deadLetterExchange, String deadLetterQueue) {

    public static ChaosConfig fromSystemProperties() {
        return new ChaosConfig(
                required("chaos.broker"),
                Integer.getInteger("chaos.events", 60_000),
                Integer.getInteger("chaos.duplicate-every", 20),
                Integer.getInteger("chaos.invalid-every", 100),
                Integer.getInteger("chaos.oversized", 3),
                required("chaos.db-url"),
                System.getProperty("chaos.host", "127.0.0.1"),
                Integer.parseInt(required("chaos.port")),
                required("chaos.queue"),
                System.getProperty("chaos.subject", ""),
                System.getProperty("chaos.dlx", ""),
                required("chaos.dlq"));
    }

    public ChaosMessages messages() {
        return new ChaosMessages(events, duplicateEvery, invalidEvery, oversized);
    }

    /** The broker's client for this run. */
    public ChaosBroker client() throws Exception {
        return switch (broker) {
            case "rabbitmq" -> new RabbitMqChaosBroker(this);
            case "nats" -> new NatsChaosBroker(this);
            case "redis" -> new RedisChaosBroker(this);
            default -> throw new IllegalArgumentException("broker: rabbitmq | nats | redis, not " + broker);
        };
    }

    private static String required(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("-D" + name + " missing (scripts/chaos.sh sets it)");
        }
        return value;
    }
}
