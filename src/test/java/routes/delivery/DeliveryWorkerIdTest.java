package routes.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The worker id names the per-worker processing list: two processes must never share one by default. */
class DeliveryWorkerIdTest {

    static DeliveryProperties properties(String workerId) {
        return new DeliveryProperties(true, "https://localhost:8443", "/d", "/s/{id}", workerId, 1, 1, null, 1,
                "delivery_queue", "delivery_queue:delayed", "delivery_queue:dlq", null, null, null, null, false,
                null, null);
    }

    @Test
    void theDefaultWorkerIdNamesThisProcessAndStaysTheSameWithinIt() {
        String id = properties(null).effectiveWorkerId();

        assertThat(id).isNotEqualTo("worker").contains(String.valueOf(ProcessHandle.current().pid()));
        assertThat(properties("").effectiveWorkerId()).isEqualTo(id);
        assertThat(properties(null).processingList()).isEqualTo("delivery_queue:processing:" + id);
    }

    @Test
    void twoProcessesOnOneHostOrWithoutAHostNameGetDifferentIds() {
        String first = DeliveryProperties.defaultWorkerId(null, 4242);
        String second = DeliveryProperties.defaultWorkerId(null, 4242);
        String otherHost = DeliveryProperties.defaultWorkerId("pod-a", 4242);

        assertThat(first).isNotEqualTo(second).startsWith("worker-4242-");
        assertThat(otherHost).startsWith("pod-a-4242-");
    }

    @Test
    void aConfiguredWorkerIdWins() {
        assertThat(properties("edge-7").effectiveWorkerId()).isEqualTo("edge-7");
        assertThat(properties("edge-7").processingList()).isEqualTo("delivery_queue:processing:edge-7");
    }
}
