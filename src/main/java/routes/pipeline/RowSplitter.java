package routes.pipeline;

import java.util.ArrayList;
import java.util.List;

/** Splits a validated event into its metric rows, one per metric. */
public class RowSplitter {

    public List<MetricRow> rows(IngestEvent event) {
        List<MetricRow> rows = new ArrayList<>(event.metrics().size());
        for (IngestEvent.Metric m : event.metrics()) {
            rows.add(new MetricRow(event.sourceTimestamp(), event.deviceId(), m.parameterKey(), m.value(),
                    m.quality(), event.protocol(), event.eventId(), m.attributesJson()));
        }
        return rows;
    }
}
