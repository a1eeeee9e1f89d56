package routes.pipeline.split;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import routes.pipeline.IngestExchange;
import routes.pipeline.MessageBatch;
import routes.pipeline.validate.IngestEvent;

/** Stage {@code split-rows}: each pending message's body becomes the metric rows of its event, one per metric. */
public class SplitStage implements Processor {

    private final RowSplitter splitter;

    public SplitStage(RowSplitter splitter) {
        this.splitter = splitter;
    }

    @Override
    public void process(Exchange batch) {
        for (Exchange message : MessageBatch.messages(batch)) {
            if (MessageBatch.isPending(message)) {
                message.getMessage().setBody(splitter.rows(message.getProperty(IngestExchange.EVENT, IngestEvent.class)));
            }
        }
    }
}
