package routes.pipeline.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.MessageOutcome;
import routes.pipeline.StepFailedException;
import routes.pipeline.validate.InvalidMessageException;

/**
 * {@code per-message:} on batch exchanges: each pending message runs through the team's route on its own
 * (filter, failure, transform, enrichment), and a hook no route fills does nothing; {@code messages=failed}
 * and {@code messages=uncommitted} send only those messages, and {@code failure=keep} keeps the route's failure.
 */
class PerMessageComponentTest extends CamelTestSupport {

    static final AtomicInteger calls = new AtomicInteger();
    static final List<Exception> parked = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final List<List<Object>> parkedTogether = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext camel = super.createCamelContext();
        camel.addComponent(PerMessageComponent.NAME, new PerMessageComponent());
        return camel;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:pipeline-filter").to("per-message:direct:filter").to("mock:after");
                from("direct:filter").routeId("drop-test-devices")
                        .process(e -> calls.incrementAndGet())
                        .filter(body().startsWith("test-")).stop().end();

                from("direct:pipeline-fail").to("per-message:direct:fail");
                from("direct:fail").routeId("picky")
                        .choice().when(body().isEqualTo("bad"))
                            .throwException(new IllegalArgumentException("cannot map 'bad'"))
                        .end()
                        .setBody(simple("ok:${body}"));

                from("direct:pipeline-transform").to("per-message:direct:transform");
                from("direct:transform").routeId("to-upper").transform(body().convertToString().append("!"));

                from("direct:pipeline-enrich").to("per-message:direct:enrich").to("per-message:direct:use-enrichment");
                from("direct:enrich").routeId("enrich").setProperty("site", simple("site-of-${body}"));
                from("direct:use-enrichment").routeId("use-enrichment").setHeader("label", exchangeProperty("site"));

                from("direct:pipeline-empty-hook").to("per-message:direct:nobody-here?step=unused");

                from("direct:pipeline-late").to("per-message:direct:late");

                from("direct:pipeline-nested").to("per-message:direct:nested");
                from("direct:nested").routeId("outer-step").to("direct:inner-step");
                from("direct:inner-step").routeId("inner-step").throwException(new IllegalStateException("deep"));

                from("direct:pipeline-named").to("per-message:direct:named?step=team-x-mapping");
                from("direct:named").routeId("named").throwException(new IllegalStateException("boom"));

                from("direct:pipeline-failed").to("per-message:direct:park?messages=failed&failure=keep");
                from("direct:pipeline-failed-together")
                        .to("per-message:direct:park-all?messages=failed&failure=keep&together=true");
                from("direct:park-all").routeId("park-all")
                        .process(e -> parkedTogether.add(List.copyOf(e.getMessage().getBody(List.class))))
                        .filter(simple("${body.size} == 3")).throwException(new IllegalStateException("db down")).end();
                from("direct:park").routeId("park")
                        .process(e -> parked.add(e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)))
                        .filter(body().isEqualTo("unparkable")).throwException(new IllegalStateException("db down")).end();

                from("direct:pipeline-uncommitted").to("per-message:direct:commit-one?messages=uncommitted&failure=keep&handOff=true");
                from("direct:commit-one").routeId("commit-one")
                        .process(e -> threads.add(Thread.currentThread().getName()))
                        .choice()
                            .when(body().isEqualTo("refused")).setProperty(IngestExchange.DEAD_LETTERED, constant(true))
                            .when(body().isEqualTo("down")).throwException(new IllegalStateException("still down"))
                        .end();
            }
        };
    }

    List<Exchange> batch(Object... bodies) {
        List<Exchange> messages = new ArrayList<>();
        for (Object body : bodies) {
            Exchange message = new DefaultExchange(context);
            message.getMessage().setBody(body);
            messages.add(message);
        }
        return messages;
    }

    Exchange run(String pipeline, List<Exchange> messages) {
        return template.send(pipeline, e -> e.getMessage().setBody(messages));
    }

    @Test
    void aStopInTheStepFiltersThatMessageOnlyAndTheBatchGoesOn() throws Exception {
        getMockEndpoint("mock:after").expectedMessageCount(1);
        List<Exchange> messages = batch("a", "test-b", "c");

        Exchange result = run("direct:pipeline-filter", messages);

        assertThat(result.getException()).isNull();
        assertThat(result.isRouteStop()).as("the batch itself is not stopped").isFalse();
        assertThat(MessageBatch.outcome(messages.get(1))).isEqualTo(MessageOutcome.FILTERED);
        assertThat(messages.get(1).isRouteStop()).as("stop flag cleared").isFalse();
        assertThat(MessageBatch.pending(result)).containsExactly(messages.get(0), messages.get(2));
        getMockEndpoint("mock:after").assertIsSatisfied();
    }

    @Test
    void aBatchOfOneIsTheExchangeItselfAndAStopSettlesItWithoutStoppingTheCaller() throws Exception {
        getMockEndpoint("mock:after").expectedMessageCount(1);

        Exchange result = template.send("direct:pipeline-filter", e -> e.getMessage().setBody("test-device-7"));

        assertThat(MessageBatch.outcome(result)).isEqualTo(MessageOutcome.FILTERED);
        assertThat(result.isRouteStop()).isFalse();
        getMockEndpoint("mock:after").assertIsSatisfied();
    }

    @Test
    void settledAndFailedMessagesAreNotRunAgain() {
        List<Exchange> messages = batch("a", "b", "c");
        MessageBatch.settle(messages.get(0), MessageOutcome.DUPLICATE);
        messages.get(1).setException(new IllegalStateException("earlier stage"));
        calls.set(0);

        run("direct:pipeline-filter", messages);

        assertThat(calls).hasValue(1);
    }

    @Test
    void aFailureFailsThatMessageAloneNamingTheStepAndKeepsItsOriginalBody() {
        List<Exchange> messages = batch("one", "bad", "three");

        Exchange result = run("direct:pipeline-fail", messages);

        assertThat(result.getException()).isNull();
        Exchange failed = messages.get(1);
        assertThat(failed.getException()).isInstanceOf(StepFailedException.class)
                .hasMessageContaining("picky").hasMessageContaining("cannot map 'bad'")
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat(((StepFailedException) failed.getException()).step()).isEqualTo("picky");
        assertThat(failed.getProperty(IngestExchange.ORIGINAL_BODY)).isEqualTo("bad");
        assertThat(failed.getExchangeExtension().isRedeliveryExhausted()).isFalse();
        assertThat(messages.get(0).getMessage().getBody()).isEqualTo("ok:one");
        assertThat(messages.get(2).getMessage().getBody()).isEqualTo("ok:three");
        assertThat(MessageBatch.pending(result)).containsExactly(messages.get(0), messages.get(2));
    }

    @Test
    void aFailureInARouteTheStepCallsNamesBothRoutes() {
        List<Exchange> messages = batch("x");

        run("direct:pipeline-nested", messages);

        assertThat(((StepFailedException) messages.get(0).getException()).step()).isEqualTo("outer-step/inner-step");
    }

    @Test
    void theStepOptionNamesTheStepInTheError() {
        List<Exchange> messages = batch("x");

        run("direct:pipeline-named", messages);

        assertThat(((StepFailedException) messages.get(0).getException()).step()).isEqualTo("team-x-mapping");
    }

    @Test
    void aTransformReplacesEachBodyAndTheOriginalBodyIsKept() {
        List<Exchange> messages = batch("a", "b");

        run("direct:pipeline-transform", messages);

        assertThat(messages).extracting(m -> m.getMessage().getBody()).containsExactly("a!", "b!");
        assertThat(messages).extracting(m -> m.getProperty(IngestExchange.ORIGINAL_BODY)).containsExactly("a", "b");
    }

    @Test
    void anOriginalBodyAlreadySetIsNotReplaced() {
        List<Exchange> messages = batch("parsed");
        messages.get(0).setProperty(IngestExchange.ORIGINAL_BODY, "as received");

        run("direct:pipeline-transform", messages);

        assertThat(messages.get(0).getProperty(IngestExchange.ORIGINAL_BODY)).isEqualTo("as received");
    }

    @Test
    void anEnrichmentSetByOneStepIsSeenByTheNextOnTheSameMessage() {
        List<Exchange> messages = batch("d1", "d2");

        run("direct:pipeline-enrich", messages);

        assertThat(messages).extracting(m -> m.getMessage().getHeader("label")).containsExactly("site-of-d1", "site-of-d2");
        assertThat(messages).allMatch(MessageBatch::isPending);
    }

    @Test
    void aHookNoRouteFillsIsANoOp() {
        List<Exchange> messages = batch("a", "b");

        long start = System.nanoTime();
        Exchange result = run("direct:pipeline-empty-hook", messages);

        assertThat(System.nanoTime() - start).as("no wait for a consumer").isLessThan(2_000_000_000L);
        assertThat(result.getException()).isNull();
        assertThat(messages).allMatch(MessageBatch::isPending);
        assertThat(messages).allMatch(m -> m.getProperty(IngestExchange.ORIGINAL_BODY) == null);
    }

    @Test
    void aRouteAddedAtRuntimeIsUsedByTheNextBatchAndARemovedOneIsNoLonger() throws Exception {
        List<Exchange> first = batch("a");
        assertThat(run("direct:pipeline-late", first).getException()).isNull();
        assertThat(first.get(0).getMessage().getBody()).isEqualTo("a");

        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:late").routeId("late").setBody(constant("mapped"));
            }
        });
        List<Exchange> second = batch("b");
        run("direct:pipeline-late", second);
        assertThat(second.get(0).getMessage().getBody()).isEqualTo("mapped");

        context.getRouteController().stopRoute("late");
        context.removeRoute("late");
        List<Exchange> third = batch("c");
        assertThat(run("direct:pipeline-late", third).getException()).isNull();
        assertThat(third.get(0).getMessage().getBody()).isEqualTo("c");
        assertThat(third.get(0).getException()).isNull();
    }

    @Test
    void aMessagesOnCompletionsDoNotRunWhenTheStepFinishesButStayWithTheMessage() {
        List<Exchange> messages = batch("a");
        AtomicInteger acks = new AtomicInteger();
        Synchronization ack = new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange exchange) {
                acks.incrementAndGet();
            }
        };
        messages.get(0).getExchangeExtension().addOnCompletion(ack);

        run("direct:pipeline-transform", messages);

        assertThat(acks).as("not acked by the team's route").hasValue(0);
        assertThat(messages.get(0).getExchangeExtension().handoverCompletions()).containsExactly(ack);
    }

    @Test
    void messagesFailedSendsOnlyTheFailedOnesWithTheirFailureCaughtAndDeadLettersThem() {
        List<Exchange> messages = batch("ok", "invalid", "step-failed", "unparkable");
        InvalidMessageException invalid = new InvalidMessageException("json", List.of());
        messages.get(1).setException(invalid);
        messages.get(2).setException(new StepFailedException("team", new RuntimeException("x")));
        messages.get(3).setException(new InvalidMessageException("json", List.of()));
        parked.clear();

        Exchange result = run("direct:pipeline-failed", messages);

        assertThat(result.getException()).isNull();
        assertThat(parked).as("in turn, in the batch's order").hasSize(3).first().isSameAs(invalid);
        assertThat(MessageBatch.isPending(messages.get(0))).as("not failed: not sent").isTrue();
        assertThat(messages.subList(1, 3)).extracting(MessageBatch::outcome)
                .containsOnly(MessageOutcome.DEAD_LETTERED);
        assertThat(messages.get(1).getException()).isNull();
        assertThat(messages.get(3).getException()).as("failure=keep: the route's own failure, not a step's")
                .isInstanceOf(IllegalStateException.class).hasMessage("db down");
        assertThat(MessageBatch.outcome(messages.get(3))).isNull();
    }

    @Test
    void togetherSendsTheFailedOnesAsOneExchangeOfTheirListAndTheRoutesFailureIsEachOnes() {
        List<Exchange> messages = batch("ok", "invalid", "step-failed");
        InvalidMessageException invalid = new InvalidMessageException("json", List.of());
        messages.get(1).setException(invalid);
        messages.get(2).setException(new StepFailedException("team", new RuntimeException("x")));
        parkedTogether.clear();

        Exchange result = run("direct:pipeline-failed-together", messages);

        assertThat(result.getException()).isNull();
        assertThat(parkedTogether).as("one exchange, the failed messages' list").hasSize(1);
        assertThat(parkedTogether.get(0)).containsExactly(messages.get(1), messages.get(2));
        assertThat(messages.get(1).getProperty(Exchange.EXCEPTION_CAUGHT)).isSameAs(invalid);
        assertThat(messages.subList(1, 3)).extracting(MessageBatch::outcome).containsOnly(MessageOutcome.DEAD_LETTERED);
        assertThat(MessageBatch.isPending(messages.get(0))).as("not failed: not sent").isTrue();

        List<Exchange> three = batch("a", "b", "c");
        three.forEach(m -> m.setException(new InvalidMessageException("json", List.of())));
        run("direct:pipeline-failed-together", three);
        assertThat(three).as("the route failed: each message keeps that failure, none dead-lettered")
                .allSatisfy(m -> {
                    assertThat(m.getException()).isInstanceOf(IllegalStateException.class).hasMessage("db down");
                    assertThat(MessageBatch.outcome(m)).isNull();
                });
    }

    @Test
    void messagesUncommittedCommitsEachOffTheCallersThreadAndKeepsAFailure() {
        List<Exchange> messages = batch("fine", "refused", "down", "committed-with-the-batch");
        for (Exchange message : messages.subList(0, 3)) {
            message.setProperty(IngestExchange.COMMIT_FAILED, new RuntimeException("unit"));
        }
        threads.clear();

        Exchange result = run("direct:pipeline-uncommitted", messages);

        assertThat(result.getException()).isNull();
        assertThat(threads).hasSize(3).allMatch(name -> name.contains("per-message-direct:commit-one"));
        assertThat(MessageBatch.outcome(messages.get(0))).isEqualTo(MessageOutcome.COMMITTED);
        assertThat(MessageBatch.outcome(messages.get(1))).isEqualTo(MessageOutcome.DEAD_LETTERED);
        assertThat(messages.get(2).getException()).isInstanceOf(IllegalStateException.class).hasMessage("still down");
        assertThat(messages.get(2).getProperty(IngestExchange.COMMIT_FAILED)).isNull();
        assertThat(MessageBatch.isPending(messages.get(3))).as("its unit did not fail: not sent").isTrue();
    }

    @Test
    void anUnknownSelectionOrFailureIsRefused() {
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> context.getEndpoint("per-message:direct:x?messages=some").createProducer()))
                .hasMessageContaining("pending, failed, uncommitted");
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> context.getEndpoint("per-message:direct:x?failure=ignore").createProducer()))
                .hasMessageContaining("step, keep");
    }
}
