package routes.source.redis;

import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import routes.scale.PostgresLeaderLock;

/**
 * {@code ingest.sources.redis.recovery-leader}: who runs the Redis recoverer and delayed-retry mover.
 * {@code postgres} (default): only the instance holding a PostgreSQL session advisory lock, one lock per
 * queue; when the holder dies its session ends, the lock is free and the next instance to ask takes over.
 * {@code every-instance}, or no database: every instance (each step is one atomic script, so still safe).
 */
@Configuration(proxyBeanMethods = false)
public class RecoveryLeaderConfiguration {

    /** Lock name prefix; the queue name follows, so deployments with different queues do not share a leader. */
    public static final String LOCK = "redis-recoverer:";

    @Bean
    RecoveryGate recoveryGate(RedisSourceProperties properties, ObjectProvider<DataSource> dataSource) {
        DataSource database = dataSource.getIfAvailable();
        if (!"postgres".equals(properties.recoveryLeader()) || database == null) {
            return RecoveryGate.EVERY_INSTANCE;
        }
        return new LeaderGate(new PostgresLeaderLock(database, LOCK + properties.queue()));
    }

    /**
     * Opens its database session only when first asked (so an instance without the Redis source holds
     * no connection); closed with the context, which frees the lock at once for another instance.
     */
    record LeaderGate(PostgresLeaderLock lock) implements RecoveryGate, AutoCloseable {

        @Override
        public boolean mayRecover() {
            return lock.holds();
        }

        @Override
        public void close() {
            lock.close();
        }
    }
}
