package routes.chaos;

import java.util.List;
import java.util.Map;

/** One broker as the chaos run's independent client sees it: publish the backlog, then look at what is left. */
public interface ChaosBroker extends AutoCloseable {

    /** A copy in the broker's dead-letter destination: its exact body and its headers. */
    record DeadLetterCopy(byte[] body, Map<String, String> headers) {
    }

    /** Declares the run's queue or stream as the app would, empty, and publishes every message with the broker's confirm. */
    void publish(List<byte[]> messages) throws Exception;

    /** Messages still in the source queue (ready, unacknowledged, in processing or delayed), with the app stopped. */
    long leftInSource() throws Exception;

    /** Every copy in the dead-letter destination, left in place. */
    List<DeadLetterCopy> deadLetterCopies() throws Exception;
}
