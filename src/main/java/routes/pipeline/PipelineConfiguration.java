package routes.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Processor;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import routes.config.IngestProperties;
import routes.ops.IngestMetrics;
import routes.status.MessageStatusTracker;

/** The beans of the shared pipeline, referenced by name from routes/ingest.camel.yaml. */
@Configuration(proxyBeanMethods = false)
public class PipelineConfiguration {

    @Bean
    EventParser eventParser(ObjectMapper mapper) {
        return new EventParser(mapper);
    }

    @Bean
    EventValidator eventValidator(EventParser parser, IngestMetrics metrics) {
        return new EventValidator(parser, metrics);
    }

    @Bean
    RowSplitter rowSplitter() {
        return new RowSplitter();
    }

    @Bean
    BatchWriter batchWriter(JdbcTemplate jdbc, TransactionTemplate transaction) {
        return new BatchWriter(jdbc, transaction);
    }

    @Bean
    BatchAggregator batchAggregator(BatchWriter writer, IngestMetrics metrics, IngestProperties properties) {
        return new BatchAggregator(writer, metrics, properties.batch());
    }

    @Bean
    BatchIngest batchIngest(EventParser parser, CommittedOnlyIdempotentRepository eventIdempotentRepository,
                            RowSplitter rowSplitter, BatchAggregator batchAggregator, IngestMetrics metrics,
                            MessageStatusTracker tracker) {
        return new BatchIngest(parser, eventIdempotentRepository, rowSplitter, batchAggregator, metrics, tracker);
    }

    @Bean
    PipelineOutcomes pipelineOutcomes(IngestMetrics metrics) {
        return new PipelineOutcomes(metrics);
    }

    /** Counts an event whose rows committed (success, rows, receive → commit time). */
    @Bean
    Processor countCommitted(PipelineOutcomes outcomes) {
        return outcomes::committed;
    }

    /** Counts an event the idempotent consumer has seen commit before. */
    @Bean
    Processor countDuplicate(PipelineOutcomes outcomes) {
        return outcomes::duplicate;
    }

    /** Marks a tracked source's event as running (ingest.sources.<name>.track-status); nothing otherwise. */
    @Bean
    Processor trackRunning(MessageStatusTracker tracker) {
        return tracker::running;
    }

    @Bean
    RetryBudget retryBudget(IngestProperties properties) {
        return new RetryBudget(properties.redelivery());
    }

    /**
     * The repository behind the idempotent consumer; {@code ingest.idempotency.repository} picks it.
     * {@code redis} is provided by routes.source.redis.RedisIdempotencyConfiguration: a missing-bean
     * condition alone cannot see it (scanned configurations register in package order), hence the expression.
     */
    @Bean
    @ConditionalOnMissingBean(name = "eventIdempotentStore")
    @ConditionalOnExpression("'${ingest.idempotency.repository:memory}' != 'redis'")
    IdempotentRepository eventIdempotentStore(IngestProperties properties) {
        String kind = properties.idempotency().repository();
        return switch (kind) {
            case "memory" -> MemoryIdempotentRepository.memoryIdempotentRepository(properties.idempotency().cacheSize());
            case "none" -> new NoIdempotentRepository();
            default -> throw new IllegalStateException("ingest.idempotency.repository=" + kind
                    + " is not available: use memory, none, or enable the redis source for redis");
        };
    }

    @Bean
    CommittedOnlyIdempotentRepository eventIdempotentRepository(IdempotentRepository eventIdempotentStore) {
        return new CommittedOnlyIdempotentRepository(eventIdempotentStore);
    }
}
