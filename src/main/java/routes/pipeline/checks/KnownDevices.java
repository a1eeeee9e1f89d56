package routes.pipeline.checks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import routes.pipeline.ErrorType;
import routes.pipeline.validate.IngestEvent;
import routes.pipeline.IngestExchange;
import routes.pipeline.StepRejectedException;

/**
 * The cache of the known-devices check (route file known-devices.camel.yaml): the device ids and
 * parameter keys last loaded by its {@code sql:} queries, swapped in whole, and the check of one message
 * against them. A message is checked against memory only: the tables are read by the refresh, never per
 * message. Until the first load succeeded the route loads before it checks.
 */
@Component("knownDevices")
public class KnownDevices {

    private static final Logger LOG = LoggerFactory.getLogger(KnownDevices.class);

    private volatile Snapshot snapshot;

    /**
     * The rows of the two queries (one column each) become the new cache, together: a message is never
     * checked against the devices of one load and the parameters of another.
     */
    public void load(Collection<Map<String, Object>> devices, Collection<Map<String, Object>> parameters) {
        Set<String> deviceIds = new HashSet<>(devices.size() * 2);
        for (Map<String, Object> row : devices) {
            Object id = firstColumn(row);
            if (id != null) {
                // UUIDs compare lower case: a text column may hold them in either case.
                deviceIds.add(id.toString().trim().toLowerCase(Locale.ROOT));
            }
        }
        Set<String> parameterKeys = new HashSet<>(parameters.size() * 2);
        for (Map<String, Object> row : parameters) {
            Object key = firstColumn(row);
            if (key != null) {
                parameterKeys.add(key.toString());
            }
        }
        Snapshot previous = snapshot;
        snapshot = new Snapshot(Set.copyOf(deviceIds), Set.copyOf(parameterKeys));
        if (previous == null || previous.devices.size() != deviceIds.size()
                || previous.parameters.size() != parameterKeys.size()) {
            LOG.info("Known devices check: {} devices, {} parameters", deviceIds.size(), parameterKeys.size());
        }
    }

    /** Whether a load has succeeded yet. */
    public boolean loaded() {
        return snapshot != null;
    }

    /**
     * Checks the message's event (exchange property {@code ingestEvent}, set by validation): its device,
     * then every metric's parameter.
     *
     * @throws StepRejectedException {@code unknown_device} naming the device, or {@code unknown_parameter}
     *                               naming every unknown parameter of the event
     */
    public void check(Exchange message) {
        IngestEvent event = message.getProperty(IngestExchange.EVENT, IngestEvent.class);
        if (event == null) {
            throw new IllegalStateException("the known-devices check runs after validation: no ingestEvent on the message");
        }
        Snapshot known = snapshot;
        if (known == null) {
            throw new IllegalStateException("the known-devices check has not loaded its tables yet");
        }
        String device = event.deviceId().toString();
        if (!known.devices.contains(device)) {
            throw new StepRejectedException(ErrorType.UNKNOWN_DEVICE.label(), "unknown device " + device);
        }
        List<String> unknown = null;
        for (IngestEvent.Metric metric : event.metrics()) {
            if (!known.parameters.contains(metric.parameterKey())) {
                if (unknown == null) {
                    unknown = new ArrayList<>();
                }
                unknown.add(metric.parameterKey());
            }
        }
        if (unknown != null) {
            throw new StepRejectedException(ErrorType.UNKNOWN_PARAMETER.label(), "unknown parameter"
                    + (unknown.size() == 1 ? " " : "s ") + String.join(", ", new TreeSet<>(unknown))
                    + " (device " + device + ")");
        }
    }

    private static Object firstColumn(Map<String, Object> row) {
        return row.isEmpty() ? null : row.values().iterator().next();
    }

    private record Snapshot(Set<String> devices, Set<String> parameters) {
    }
}
