package routes.pipeline.split;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import routes.pipeline.validate.IngestEvent;

/** Splits a validated event (the body) into its metric rows, one per metric (the new body). */
public class RowSplitter implements Processor {

    @Override
    public void process(Exchange exchange) {
        exchange.getMessage().setBody(rows(exchange.getMessage().getBody(IngestEvent.class)));
    }

    public List<MetricRow> rows(IngestEvent event) {
        List<MetricRow> rows = new ArrayList<>(event.metrics().size());
        for (IngestEvent.Metric m : event.metrics()) {
            rows.add(new MetricRow(event.sourceTimestamp(), event.deviceId(), m.parameterKey(), m.value(),
                    m.quality(), event.protocol(), event.eventId(), m.attributesJson()));
        }
        return rows;
    }
}
