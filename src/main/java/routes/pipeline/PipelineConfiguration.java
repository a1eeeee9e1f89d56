package routes.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import routes.config.IngestProperties;
import routes.ops.IngestMetrics;
import routes.pipeline.commit.BatchAggregator;
import routes.pipeline.commit.BatchWriter;
import routes.pipeline.commit.CommitParticipant;
import routes.pipeline.commit.CommitStage;
import routes.pipeline.commit.RetryBudget;
import routes.pipeline.dedup.BoundedKeyMemory;
import routes.pipeline.dedup.CommittedOnlyIdempotentRepository;
import routes.pipeline.dedup.DuplicateStage;
import routes.pipeline.dedup.NoIdempotentRepository;
import routes.pipeline.outcome.OutcomeStage;
import routes.pipeline.split.RowSplitter;
import routes.pipeline.split.SplitStage;
import routes.pipeline.validate.EventParser;
import routes.pipeline.validate.ValidateStage;

/** The beans of the shared pipeline, referenced by name from routes/ingest.camel.yaml. */
@Configuration(proxyBeanMethods = false)
public class PipelineConfiguration {

    @Bean
    EventParser eventParser(ObjectMapper mapper) {
        return new EventParser(mapper);
    }

    @Bean
    RowSplitter rowSplitter() {
        return new RowSplitter();
    }

    @Bean
    BatchWriter batchWriter(JdbcTemplate jdbc, TransactionTemplate transaction) {
        return new BatchWriter(jdbc, transaction);
    }

    /** {@code participant}: routes.status's, which marks tracked messages completed in the commit's transaction. */
    @Bean
    BatchAggregator batchAggregator(BatchWriter writer, ObjectProvider<CommitParticipant> participant,
                                    IngestMetrics metrics, IngestProperties properties) {
        return new BatchAggregator(writer, participant.getIfAvailable(() -> CommitParticipant.NONE), metrics,
                properties.batch());
    }

    // The stages of the pipeline route `ingest` (routes/ingest.camel.yaml), in its order. Each takes a
    // batch exchange (MessageBatch) and works on its messages still pending.

    @Bean
    ValidateStage validateEvents(EventParser parser, ObjectMapper mapper, IngestMetrics metrics) {
        return new ValidateStage(parser, mapper, metrics);
    }

    @Bean
    DuplicateStage skipDuplicates(CommittedOnlyIdempotentRepository eventIdempotentRepository) {
        return new DuplicateStage(eventIdempotentRepository);
    }

    // track-running (between idempotent-consumer and split-rows): routes.status.TrackRunning.

    @Bean
    SplitStage splitRows(RowSplitter rowSplitter) {
        return new SplitStage(rowSplitter);
    }

    @Bean
    CommitStage commitBatch(BatchAggregator batchAggregator) {
        return new CommitStage(batchAggregator);
    }

    @Bean
    OutcomeStage countOutcomes(CommittedOnlyIdempotentRepository eventIdempotentRepository, IngestMetrics metrics) {
        return new OutcomeStage(eventIdempotentRepository, metrics);
    }

    /** A single message (not a batch) becomes a batch of one for the stages, and gets its outcome back at the end. */
    @Bean
    Processor asBatch() {
        return MessageBatch::wrap;
    }

    @Bean
    Processor handBack() {
        return MessageBatch::unwrap;
    }

    /** {@code {{millis:ingest.redelivery.initial-delay}}} in the routes' redelivery policy. */
    @Bean
    CamelContextConfiguration millisPlaceholders(Environment environment) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                camelContext.getPropertiesComponent().addPropertiesFunction(new MillisFunction(environment));
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                // nothing
            }
        };
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
            case "memory" -> new BoundedKeyMemory(properties.idempotency().cacheSize());
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
