package routes.pipeline.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import routes.pipeline.IngestExchange;

class CommittedOnlyIdempotentRepositoryTest {

    /** A store that answers until switched off, then throws as an unreachable Redis does. */
    static final class SwitchableStore extends MemoryIdempotentRepository {
        boolean down;

        @Override
        public boolean contains(String key) {
            if (down) {
                throw new IllegalStateException("test: store unreachable");
            }
            return super.contains(key);
        }

        @Override
        public boolean add(String key) {
            if (down) {
                throw new IllegalStateException("test: store unreachable");
            }
            return super.add(key);
        }
    }

    final SwitchableStore store = new SwitchableStore();
    final CommittedOnlyIdempotentRepository repository = new CommittedOnlyIdempotentRepository(store);
    final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    @BeforeEach
    void start() {
        repository.start();
    }

    @Test
    void aStoreThatFailsAnswersNotSeenSoTheMessageIsWrittenAgain() {
        repository.add(exchange, "e-1:voltage");
        store.down = true;

        assertThat(repository.contains(exchange, "e-1:voltage")).isFalse();
        assertThat(repository.contains("e-1:voltage")).isFalse();
        assertThat(repository.failing()).isTrue();
    }

    @Test
    void anAddThatFailsIsForgottenNotThrown() {
        store.down = true;

        assertThat(repository.add(exchange, "e-2:voltage")).isFalse();
        assertThat(repository.add("e-2:current")).isFalse();

        store.down = false;
        assertThat(repository.contains(exchange, "e-2:voltage")).isFalse();
        assertThat(repository.failing()).isFalse();
    }

    @Test
    void aDeadLetteredMessageIsNotRememberedAndAReplayIsNeverADuplicate() {
        Exchange deadLettered = new DefaultExchange(new DefaultCamelContext());
        deadLettered.setProperty(IngestExchange.DEAD_LETTERED, true);
        assertThat(repository.add(deadLettered, "e-3:voltage")).isFalse();
        assertThat(repository.contains(exchange, "e-3:voltage")).isFalse();

        repository.add(exchange, "e-4:voltage");
        Exchange replay = new DefaultExchange(new DefaultCamelContext());
        replay.setProperty(IngestExchange.REPLAY, true);
        assertThat(repository.contains(replay, "e-4:voltage")).isFalse();
        assertThat(repository.contains(exchange, "e-4:voltage")).isTrue();
    }
}
